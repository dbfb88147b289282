// tinymlops serve | cascade | cascade tune (docs/serving.md)
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "commands.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/serve/cascade.h"
#include "tinymlops/serve/cascade_tune.h"
#include "tinymlops/serve/server.h"

namespace tinymlops::cli {

namespace {

void register_serve(CLI::App& app) {
  struct Flags {
    std::string model, registry;
    serve::ServerOptions options;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* c = app.add_subcommand("serve", "HTTP inference server: POST /v1/predict, GET /v1/model, /healthz, /metrics");
  c->add_option("model", f->model, "model file (.tmlm or .tdm); reloaded when it changes");
  c->add_option("--registry", f->registry, "serve NAME[:ALIAS] (default alias production) of this project's registry")
      ->excludes(c->get_option("model"));
  serve::ServerOptions& o = f->options;
  c->add_option("--host", o.host, "address to listen on")->capture_default_str();
  c->add_option("--port", o.port, "port (0: any free port, printed)")->capture_default_str();
  c->add_option("--max-body", o.max_body_bytes, "largest request body in bytes (413 above)")->capture_default_str();
  c->add_option("--max-rows", o.max_rows, "most rows per request (422 above)")->capture_default_str();
  c->add_option("--max-concurrent", o.max_concurrent, "predictions at once (429 above)")->capture_default_str();
  c->add_option("--reload-interval", o.reload_interval_seconds, "seconds between checks for a new model (0: never)")
      ->capture_default_str();
  c->callback([f] {
    std::unique_ptr<serve::ModelSource> source;
    if (!f->registry.empty()) {
      source = serve::registry_model_source(std::filesystem::current_path(), f->registry);
    } else if (!f->model.empty()) {
      source = serve::file_model_source(f->model);
    } else {
      throw Error(ErrorKind::kUsage, "serve", "give a model file or --registry NAME[:ALIAS]");
    }
    const std::string what = source->describe();
    f->options.on_message = [](const std::string& text) { std::cerr << "tinymlops serve: " << text << std::endl; };
    serve::serve_until_signal(std::move(source), f->options, [&](const serve::InferenceServer& server) {
      std::printf("serving %s (sha256 %.12s) on http://%s:%d\n", what.c_str(), server.model_sha256().c_str(),
                  f->options.host.c_str(), server.port());
      std::fflush(stdout);
    });
    std::printf("stopped\n");
  });
}

void print_percent_row(const char* name, double value) { std::printf("%-16s %.2f%%\n", name, 100 * value); }

void register_cascade(CLI::App& app) {
  struct Flags {
    std::string edge, data, link = "good";
    serve::CascadeOptions options;
    serve::DeviceState device;
    serve::TuneConfig tune;
    std::string plot;
    bool json = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* c = app.add_subcommand("cascade", "edge model locally, the server's model when the edge is unsure");
  c->require_subcommand(0, 1);
  c->add_option("edge", f->edge, "edge model file (.tmlm or .tdm)");
  c->add_option("--server", f->options.server_url, "inference server URL, e.g. http://127.0.0.1:8080");
  c->add_option("--data", f->data, "labelled CSV to run");
  c->add_option("--threshold", f->options.policy.threshold, "offload below this edge confidence")->capture_default_str();
  c->add_option("--timeout-ms", f->options.timeout_ms, "server timeout (connect, send, receive each)")
      ->capture_default_str();
  c->add_option("--battery", f->device.battery, "device charge 0..1 (policy input)")->capture_default_str();
  c->add_option("--link", f->link, "link quality: good, poor or down (policy input)")->capture_default_str();
  c->add_option("--min-battery", f->options.policy.min_battery, "no offload below this charge")->capture_default_str();
  c->add_option("--poor-link-factor", f->options.policy.poor_link_factor, "threshold multiplier on a poor link")
      ->capture_default_str();
  c->add_flag("--json", f->json, "the report as JSON");

  CLI::App* t = c->add_subcommand("tune", "sweep the threshold offline: accuracy vs offload rate, smallest rate meeting a target");
  t->add_option("edge", f->tune.edge_model, "edge model file")->required();
  t->add_option("big", f->tune.big_model, "big (server) model file")->required();
  t->add_option("--data", f->tune.data, "labelled validation CSV")->required();
  t->add_option("--target-accuracy", f->tune.target_accuracy, "accuracy to meet (0..1)");
  t->add_option("--within-pp", f->tune.within_pp, "else: the big model's accuracy minus this many percentage points")
      ->capture_default_str();
  t->add_option("--step", f->tune.step, "threshold step of the table")->capture_default_str();
  t->add_option("--plot", f->plot, "write the curve as an SVG chart to this file, and as CSV next to it (.csv)");
  t->add_flag("--json", f->json, "the report as JSON");
  t->callback([f] {
    const serve::TuneReport r = serve::run_cascade_tune(f->tune);
    if (!f->plot.empty()) {
      write_file_atomic(f->plot, serve::tune_plot_svg(r));
      write_file_atomic(std::filesystem::path(f->plot).replace_extension(".csv"), serve::tune_table_csv(r));
    }
    if (f->json) {
      std::printf("%s\n", serve::to_json(r).dump(2).c_str());
      return;
    }
    std::printf("%zu rows: edge accuracy %.2f%%, big accuracy %.2f%%, target %.2f%%\n", r.rows, 100 * r.edge_accuracy,
                100 * r.big_accuracy, 100 * r.target_accuracy);
    std::printf("%-10s %9s %9s\n", "threshold", "accuracy", "offload");
    for (const serve::TunePoint& p : r.table) {
      std::printf("%-10.3f %8.2f%% %8.2f%%\n", p.threshold, 100 * p.accuracy, 100 * p.offload_rate);
    }
    if (r.best) {
      std::printf("best: threshold %.4f gives accuracy %.2f%% with %.2f%% of rows offloaded\n", r.best->threshold,
                  100 * r.best->accuracy, 100 * r.best->offload_rate);
    } else {
      std::printf("no threshold meets the target\n");
    }
  });

  c->callback([f, t] {
    if (t->parsed()) return;
    if (f->edge.empty() || f->options.server_url.empty() || f->data.empty()) {
      throw Error(ErrorKind::kUsage, "cascade", "needs EDGE --server URL --data CSV (or: cascade tune EDGE BIG --data CSV)");
    }
    f->device.link = serve::parse_link_quality(f->link, "--link");
    const serve::CascadeReport r = serve::run_cascade(f->edge, f->data, f->options, f->device);
    if (f->json) {
      std::printf("%s\n", serve::to_json(r).dump(2).c_str());
      return;
    }
    std::printf("%zu rows, threshold %.4f, battery %.0f%%, link %s\n", r.rows, f->options.policy.threshold,
                100 * f->device.battery, f->link.c_str());
    print_percent_row("accuracy", r.accuracy);
    print_percent_row("edge accuracy", r.edge_accuracy);
    print_percent_row("offload rate", r.offload_rate);
    std::printf("%-16s %zu\n", "offloaded", r.offloaded);
    std::printf("%-16s %zu%s\n", "offload failed", r.offload_failed,
                r.first_failure.empty() ? "" : ("  (first: " + r.first_failure + ")").c_str());
    if (r.low_battery + r.link_down > 0) {
      std::printf("%-16s %zu (low battery %zu, link down %zu)\n", "kept by policy", r.low_battery + r.link_down,
                  r.low_battery, r.link_down);
    }
  });
}

}  // namespace

void register_serve_commands(CLI::App& app) {
  register_serve(app);
  register_cascade(app);
}

}  // namespace tinymlops::cli

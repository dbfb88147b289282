// tinymlops fl init | server | client | simulate (docs/federated.md)
#include <cmath>
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/format.h"
#include "tinymlops/fl/http_transport.h"
#include "tinymlops/fl/init_job.h"
#include "tinymlops/fl/server_job.h"
#include "tinymlops/fl/simulate_job.h"

namespace tinymlops::cli {

namespace {

using namespace tinymlops::fl;

// Options shared by `fl server` and `fl simulate`, straight into a ServerConfig.
struct RoundFlags {
  ServerConfig config;
  std::string strategy = "fedavg", encoding = "float32";
  double dp_clip = 0, dp_noise = 1;
};

void add_round_options(CLI::App* c, RoundFlags& f) {
  ServerConfig& s = f.config;
  c->add_option("--rounds", s.rounds, "rounds to run")->capture_default_str();
  c->add_option("--fraction", s.fraction, "fraction of the registered clients sampled per round")->capture_default_str();
  c->add_option("--min-clients", s.min_clients, "clients needed to start a round; also the least sampled")
      ->capture_default_str();
  c->add_option("--min-updates", s.min_updates, "accepted updates needed for a round to count")->capture_default_str();
  c->add_option("--round-timeout", s.round_timeout, "seconds a round waits for stragglers")->capture_default_str();
  c->add_option("--local-epochs", s.local.epochs, "client epochs per round")->capture_default_str();
  c->add_option("--batch-size", s.local.batch_size, "client mini-batch")->capture_default_str();
  c->add_option("--lr", s.local.learning_rate, "client SGD learning rate")->capture_default_str();
  c->add_option("--strategy", f.strategy, "fedavg, fedprox, fedadam, fedyogi, median, trimmed_mean or krum")
      ->capture_default_str();
  c->add_option("--mu", s.strategy.proximal_mu, "FedProx proximal weight")->capture_default_str();
  c->add_option("--server-lr", s.strategy.server_learning_rate, "FedAdam/FedYogi server learning rate")
      ->capture_default_str();
  c->add_option("--trim", s.strategy.trim_fraction, "trimmed mean: fraction cut at each end")->capture_default_str();
  c->add_option("--krum-f", s.strategy.krum_byzantine, "Krum: malicious clients tolerated")->capture_default_str();
  c->add_option("--max-update-norm", s.strategy.max_update_norm, "norm bounding: longer updates are scaled down (0 = off)")
      ->capture_default_str();
  c->add_option("--reject-norm", s.reject_norm, "updates longer than this are rejected (0 = off)")->capture_default_str();
  c->add_option("--encoding", f.encoding, "update encoding: float32, or int8 (per-tensor scale, error feedback)")
      ->capture_default_str();
  c->add_option("--dp-clip", f.dp_clip, "DP-FedAvg: clip each update to this L2 norm (0 = DP off)")->capture_default_str();
  c->add_option("--dp-noise", f.dp_noise, "DP-FedAvg: noise multiplier z (std of the summed noise / clip)")
      ->capture_default_str();
  c->add_option("--dp-delta", s.dp_config.delta, "DP: delta of the reported (epsilon, delta)")->capture_default_str();
  c->add_option("--target-accuracy", s.target_accuracy, "stop once validation accuracy reaches this (0 = run all rounds)")
      ->capture_default_str();
  c->add_option("--seed", s.seed, "seed of sampling and client training")->capture_default_str();
}

ServerConfig finish(RoundFlags& f) {
  ServerConfig config = f.config;
  config.strategy.kind = parse_strategy(f.strategy);
  config.encoding = parse_encoding(f.encoding);
  config.dp = f.dp_clip > 0;
  config.dp_config.clip_norm = f.dp_clip;
  config.dp_config.noise_multiplier = f.dp_noise;
  return config;
}

void add_source_options(CLI::App* c, ModelSource& s) {
  c->add_option("--data", s.data, "labelled CSV")->required();
  c->add_option("--label", s.label, "target column")->required();
  c->add_option("--hidden", s.hidden, "hidden dense layer sizes")->delimiter(',')->capture_default_str();
}

void print_round(const RoundRecord& r, int rounds, bool json) {
  if (json) {
    std::printf("%s\n", to_json(r).dump().c_str());
  } else {
    std::string line = "round " + std::to_string(r.round) + "/" + std::to_string(rounds) + "  updates " +
                       std::to_string(r.accepted) + "/" + std::to_string(r.sampled);
    if (r.rejected) line += " (" + std::to_string(r.rejected) + " rejected)";
    if (r.dropped) line += " (" + std::to_string(r.dropped) + " dropped)";
    if (!r.counted) line += "  not counted (too few updates)";
    char text[96];
    if (std::isfinite(r.train_loss)) {
      std::snprintf(text, sizeof text, "  loss %.4f", r.train_loss);
      line += text;
    }
    if (std::isfinite(r.accuracy)) {
      std::snprintf(text, sizeof text, "  accuracy %.4f", r.accuracy);
      line += text;
    }
    if (r.counted) line += "  received " + format_bytes(r.bytes_received);
    if (std::isfinite(r.epsilon)) {
      std::snprintf(text, sizeof text, "  epsilon %.3g", r.epsilon);
      line += text;
    }
    std::printf("%s\n", line.c_str());
  }
  std::fflush(stdout);
}

void register_init(CLI::App* fl) {
  struct Flags {
    ModelSource source;
    std::string out;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* c = fl->add_subcommand("init", "write an untrained global model for the server (normalization fitted on DATA)");
  add_source_options(c, f->source);
  c->add_option("--seed", f->source.seed, "weight initialization seed")->capture_default_str();
  c->add_option("-o,--out", f->out, "model file to write")->required();
  c->callback([f] {
    write_initial_model(f->source, f->out);
    std::printf("wrote %s; next: tinymlops fl server --model %s\n", f->out.c_str(), f->out.c_str());
  });
}

void register_server(CLI::App* fl) {
  struct Flags {
    ServerJob job;
    RoundFlags rounds;
    bool json = false;
    std::string checkpoint;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* c = fl->add_subcommand("server", "run the federated server over HTTP until the rounds are done");
  c->add_option("--model", f->job.model, "initial global model (tinymlops fl init, or a trained .tmlm)")->required();
  c->add_option("--validation", f->job.validation, "labelled CSV evaluated after every round");
  c->add_option("--host", f->job.http.host, "address to listen on")->capture_default_str();
  c->add_option("--port", f->job.http.port, "port (0 = any free port, printed)")->capture_default_str();
  c->add_option("--cert", f->job.http.cert_file, "TLS certificate (PEM); with --key serves HTTPS");
  c->add_option("--key", f->job.http.key_file, "TLS private key (PEM)");
  c->add_option("--secret", f->job.config.enrollment_secret, "enrollment secret clients must present");
  c->add_option("--checkpoint", f->checkpoint, "directory for a checkpoint after every round; resumes from it");
  c->add_option("--max-body", f->job.http.max_body_bytes, "largest request body in bytes (0 = a float32 update + 4 KiB)");
  c->add_option("-o,--out", f->job.out, "final global model file");
  c->add_option("--rounds-csv", f->job.rounds_csv, "per-round metrics CSV, rewritten after every round");
  c->add_flag("--json", f->json, "one JSON line per round");
  add_round_options(c, f->rounds);
  c->callback([f] {
    f->job.config = [&] {
      std::string secret = f->job.config.enrollment_secret;
      ServerConfig config = finish(f->rounds);
      config.enrollment_secret = secret;
      config.checkpoint_dir = f->checkpoint;
      return config;
    }();
    ServerOutcome outcome = run_server_job(
        f->job,
        [&](int port) {
          std::printf("listening on %s://%s:%d\n", f->job.http.cert_file.empty() ? "http" : "https",
                      f->job.http.host.c_str(), port);
          std::fflush(stdout);
        },
        [&](const RoundRecord& r) { print_round(r, f->job.config.rounds, f->json); },
        [](const std::string& text) { std::fprintf(stderr, "%s\n", text.c_str()); });
    if (!f->job.out.empty()) std::printf("wrote %s\n", f->job.out.c_str());
    if (!outcome.experiment_id.empty()) std::printf("recorded experiment %s\n", outcome.experiment_id.c_str());
  });
}

void register_client(CLI::App* fl) {
  struct Flags {
    HttpClientOptions options;
    ProgressFlags progress;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* c = fl->add_subcommand("client", "join a federated server and train on local data each round it asks");
  c->add_option("--server", f->options.url, "server URL, e.g. http://127.0.0.1:8080")->required();
  c->add_option("--data", f->options.data, "this client's labelled CSV (the model's columns)")->required();
  c->add_option("--name", f->options.name, "name shown in the server's records")->capture_default_str();
  c->add_option("--secret", f->options.secret, "enrollment secret");
  c->add_option("--ca-cert", f->options.ca_cert, "HTTPS: CA certificate to verify the server with");
  c->add_option("--retry", f->options.retry_seconds, "seconds to keep retrying an unreachable server")
      ->capture_default_str();
  c->add_flag("--drop-bad-rows", f->options.drop_bad_rows, "skip rows with empty/NaN/Inf cells");
  f->progress.add_to(*c);
  c->callback([f] {
    if (f->options.name.empty()) f->options.name = f->options.data.filename().string();
    auto progress = f->progress.make();
    ClientSummary summary = run_http_client(f->options, progress.get());
    std::printf("%s: trained %d rounds, sent %s\n", summary.client_id.c_str(), summary.rounds_trained,
                format_bytes(summary.bytes_sent).c_str());
  });
}

void register_simulate(CLI::App* fl) {
  struct Flags {
    SimulateJob job;
    RoundFlags rounds;
    std::string partition = "iid";
    bool json = false;
  };
  auto f = std::make_shared<Flags>();
  f->rounds.config.fraction = 0.1;
  f->rounds.config.min_clients = 2;
  CLI::App* c = fl->add_subcommand("simulate", "run a server and N virtual clients in one process over one dataset");
  add_source_options(c, f->job.source);
  c->add_option("--clients", f->job.simulation.clients, "virtual clients")->capture_default_str();
  c->add_option("--partition", f->partition, "iid, dirichlet:ALPHA or shards:N (per client)")->capture_default_str();
  c->add_option("--dropout", f->job.simulation.dropout, "probability a sampled client never answers")->capture_default_str();
  c->add_flag("--secure-aggregation", f->job.simulation.secure_aggregation,
              "clients send masked updates; the server sees only their sum (FedAvg/FedAdam/FedYogi)");
  c->add_option("--validation-split", f->job.validation_split, "rows held out for the server's evaluation")
      ->capture_default_str();
  c->add_option("-o,--out", f->job.out, "final global model file");
  c->add_option("--rounds-csv", f->job.rounds_csv, "per-round metrics CSV");
  c->add_flag("--json", f->json, "one JSON line per round");
  add_round_options(c, f->rounds);
  c->footer("Example: tinymlops fl simulate --data examples/data/digits.csv --label digit --clients 100 "
            "--partition dirichlet:0.3 --rounds 30 --target-accuracy 0.9");
  c->callback([f] {
    f->job.simulation.server = finish(f->rounds);
    f->job.simulation.partition = parse_partition(f->partition, "--partition");
    f->job.simulation.seed = f->job.simulation.server.seed;
    f->job.source.seed = f->job.simulation.server.seed;
    const int rounds = f->job.simulation.server.rounds;
    SimulateOutcome outcome =
        run_simulation_job(f->job, [&](const RoundRecord& r) { print_round(r, rounds, f->json); });
    const SimulationResult& r = outcome.result;
    if (f->json) return;
    std::printf("%d clients (%s) on %zu rows, server validation %zu rows\n", f->job.simulation.clients,
                f->partition.c_str(), outcome.train_rows, outcome.validation_rows);
    std::printf("final accuracy %.4f; mean update bytes received per round %s\n", r.final_accuracy,
                format_bytes(static_cast<uint64_t>(r.mean_bytes_per_round)).c_str());
    if (f->job.simulation.server.target_accuracy > 0) {
      if (r.rounds_to_target) {
        std::printf("reached accuracy %.4f in %d rounds\n", f->job.simulation.server.target_accuracy, r.rounds_to_target);
      } else {
        std::printf("did not reach accuracy %.4f in %d rounds\n", f->job.simulation.server.target_accuracy, rounds);
      }
    }
    if (!r.rejections.empty()) std::printf("%zu updates rejected (first: %s)\n", r.rejections.size(), r.rejections[0].c_str());
    if (!f->job.out.empty()) std::printf("wrote %s\n", f->job.out.c_str());
    if (!outcome.experiment_id.empty()) std::printf("recorded experiment %s\n", outcome.experiment_id.c_str());
  });
}

}  // namespace

void register_fl_commands(CLI::App& app) {
  CLI::App* fl = app.add_subcommand("fl", "federated learning: init, server, client, simulate");
  fl->require_subcommand(1);
  register_init(fl);
  register_server(fl);
  register_client(fl);
  register_simulate(fl);
}

}  // namespace tinymlops::cli

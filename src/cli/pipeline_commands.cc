// tinymlops repro | dag | stage status | metrics show/diff | plots
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/core/table.h"
#include "tinymlops/pipeline/dag.h"
#include "tinymlops/pipeline/metrics.h"
#include "tinymlops/pipeline/plots.h"
#include "tinymlops/pipeline/repro.h"

namespace tinymlops::cli {

namespace {

namespace pl = tinymlops::pipeline;

struct PipelineFlags {
  std::string directory = ".";
  std::vector<std::string> stages;
  int jobs = 1;
  bool dry = false;
  bool force = false;
  bool no_run_cache = false;
  bool mermaid = false;
  bool json = false;
  std::string out = "plots.html";
  std::vector<std::string> experiments;  // metrics diff A B
};

void add_directory(CLI::App* command, PipelineFlags& flags) {
  command->add_option("-C,--directory", flags.directory, "the project (a directory holding pipeline.yaml, or below it)");
}

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& s : items) text += (text.empty() ? "" : ", ") + s;
  return text;
}

void print_repro_summary(const pl::ReproResult& result) {
  std::string summary;
  for (pl::StageAction action : {pl::StageAction::kRan, pl::StageAction::kRestored, pl::StageAction::kUpToDate,
                                 pl::StageAction::kWouldRun}) {
    const size_t n = result.names_with(action).size();
    if (n > 0) summary += (summary.empty() ? "" : ", ") + std::to_string(n) + " " + pl::stage_action_name(action);
  }
  if (!summary.empty()) std::printf("%s\n", summary.c_str());
}

}  // namespace

void register_pipeline_commands(CLI::App& app) {
  auto flags = std::make_shared<PipelineFlags>();

  CLI::App* repro = app.add_subcommand("repro", "run the pipeline stages whose deps, params or command changed");
  repro->add_option("stages", flags->stages, "stages to bring up to date, with their upstream (default: all)");
  repro->add_option("-j,--jobs", flags->jobs, "stages to run at once (default 1)")->check(CLI::PositiveNumber);
  repro->add_flag("--dry", flags->dry, "print what would run and why; change nothing");
  repro->add_flag("-f,--force", flags->force, "run the stages even when up to date (no run cache)");
  repro->add_flag("--no-run-cache", flags->no_run_cache, "always run commands instead of restoring earlier results");
  add_directory(repro, *flags);
  repro->callback([flags] {
    const auto root = pl::find_project_root(flags->directory);
    store::Repository repo = pl::open_pipeline_store(root);
    store::ProjectLock lock(repo);
    pl::StoreOutputCache cache(repo);
    pl::ReproOptions options;
    options.targets = flags->stages;
    options.jobs = flags->jobs;
    options.dry_run = flags->dry;
    options.force = flags->force;
    options.use_run_cache = !flags->no_run_cache;
    const pl::ReproResult result = pl::repro(root, cache, options);
    print_repro_summary(result);
    pl::throw_if_failed(result);
  });

  CLI::App* dag = app.add_subcommand("dag", "show the pipeline's stages and their dependencies");
  dag->add_flag("--mermaid", flags->mermaid, "print a Mermaid flowchart instead of a text tree");
  add_directory(dag, *flags);
  dag->callback([flags] {
    const pl::Pipeline pipeline = pl::load_pipeline(pl::find_project_root(flags->directory));
    std::cout << (flags->mermaid ? pl::dag_mermaid(pipeline) : pl::dag_text(pipeline));
  });

  CLI::App* stage = app.add_subcommand("stage", "pipeline stages");
  stage->require_subcommand(1);
  CLI::App* status = stage->add_subcommand("status", "which stages are up to date, and why the others are not");
  status->add_option("stages", flags->stages, "stages to check (default: all)");
  status->add_flag("--json", flags->json, "print JSON");
  add_directory(status, *flags);
  status->callback([flags] {
    const pl::Pipeline pipeline = pl::load_pipeline(pl::find_project_root(flags->directory));
    store::Repository repo = pl::open_pipeline_store(pipeline.root);
    pl::StoreOutputCache cache(repo);
    std::vector<size_t> which;
    if (flags->stages.empty()) which = pl::topological_order(pipeline);
    for (const std::string& name : flags->stages) which.push_back(pipeline.index_of(name));
    const auto statuses = pl::stage_statuses(pipeline, cache, which);
    if (flags->json) {
      std::cout << pl::statuses_to_json(statuses).dump(2) << "\n";
      return;
    }
    Table table;
    for (const auto& s : statuses) {
      table.rows.push_back({s.stage, s.up_to_date ? "up to date" : "changed: " + joined(s.reasons)});
    }
    std::cout << render_text(table);
  });

  CLI::App* metrics = app.add_subcommand("metrics", "the metrics files of the pipeline's stages");
  metrics->require_subcommand(1);
  CLI::App* show = metrics->add_subcommand("show", "the workspace metrics, one row per value");
  show->add_flag("--json", flags->json, "print JSON: {file: {metric: value}}");
  add_directory(show, *flags);
  show->callback([flags] {
    const pl::Pipeline pipeline = pl::load_pipeline(pl::find_project_root(flags->directory));
    const nlohmann::ordered_json all = pl::collect_metrics(pipeline);
    if (flags->json) {
      std::cout << all.dump(2) << "\n";
      return;
    }
    Table table{{"path", "metric", "value"}, {}};
    for (const auto& [file, values] : all.items()) {
      if (!values.is_object()) table.rows.push_back({file, "-", "(missing)"});
      else for (const auto& [key, value] : values.items()) table.rows.push_back({file, key, pl::format_metric(value)});
    }
    std::cout << render_text(table);
  });
  CLI::App* diff = metrics->add_subcommand(
      "diff", "workspace metrics against those recorded in pipeline.lock, or of two experiments (A B)");
  diff->add_option("experiments", flags->experiments, "two experiment ids or names (default: workspace vs lock)")
      ->expected(0, 2);
  diff->add_flag("--json", flags->json, "print JSON: [{path, metric, old, new, change}]");
  add_directory(diff, *flags);
  diff->callback([flags] {
    if (flags->experiments.size() == 1) throw Error(ErrorKind::kUsage, "metrics diff", "give two experiments, or none");
    if (flags->experiments.size() == 2) {
      print_experiment_diff(flags->experiments[0], flags->experiments[1], flags->json, true);
      return;
    }
    const pl::Pipeline pipeline = pl::load_pipeline(pl::find_project_root(flags->directory));
    const auto changes = pl::diff_metrics(pipeline, pl::read_lock(pipeline.root / "pipeline.lock"));
    if (flags->json) {
      std::cout << pl::metric_changes_to_json(changes).dump(2) << "\n";
      return;
    }
    Table table{{"path", "metric", "old", "new", "change"}, {}};
    for (const auto& c : changes) {
      table.rows.push_back(
          {c.file, c.key, pl::format_metric(c.old_value), pl::format_metric(c.new_value), pl::format_metric(c.change)});
    }
    std::cout << render_text(table);
  });

  CLI::App* plots = app.add_subcommand("plots", "line charts of the stages' plots files, in one HTML or SVG file");
  plots->add_option("--out", flags->out, "the file to write: .html (default plots.html) or .svg");
  add_directory(plots, *flags);
  plots->callback([flags] {
    const pl::Pipeline pipeline = pl::load_pipeline(pl::find_project_root(flags->directory));
    const auto data = pl::collect_plots(pipeline);
    const std::string ext = std::filesystem::path(flags->out).extension().string();
    const std::string text = pl::render_plots(data, ext.empty() ? "" : ext.substr(1));
    write_file_atomic(flags->out, text);
    std::printf("wrote %s (%zu chart%s)\n", flags->out.c_str(), data.size(), data.size() == 1 ? "" : "s");
  });
}

}  // namespace tinymlops::cli

// tinymlops exp show|diff, model register|list|versions|alias|promote|lineage
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "commands.h"
#include "tinymlops/core/error.h"
#include "tinymlops/pipeline/pipeline.h"
#include "tinymlops/store/repository.h"
#include "tinymlops/track/exp_run.h"
#include "tinymlops/track/registry.h"
#include "tinymlops/track/report.h"

namespace tinymlops::cli {

namespace {

namespace fs = std::filesystem;

// The project around the working directory, with its tinymlops.yaml.
struct TrackProject {
  store::Repository repo;
  store::ProjectConfig config;
  std::string gate_source;  // location prefix for gate errors: "<root>/tinymlops.yaml: gates"
};

TrackProject open_track_project() {
  store::Repository repo = store::Repository::open(fs::current_path());
  store::ProjectConfig config = repo.config();
  std::string gate_source = (repo.root() / "tinymlops.yaml").string() + ": gates";
  return {std::move(repo), std::move(config), std::move(gate_source)};
}

std::unique_ptr<track::ExperimentStore> open_store(const TrackProject& project) {
  return track::open_experiment_store(project.repo.root(), project.config.tracking);
}

struct TrackFlags {
  track::ShowOptions show;
  bool json = false;
  bool csv = false;
  std::string a, b;
  track::RegisterRequest request;
  track::ExpRunOptions run;
  std::string name, alias, ref;
  int64_t version = 0;
  std::string to = "production";
};

void print_table(const Table& table, bool csv) {
  std::cout << (csv ? render_csv(table) : render_text(table));
}


std::string was(int64_t from_version) { return from_version ? " (was " + std::to_string(from_version) + ")" : " (new)"; }

void register_exp(CLI::App& app, const std::shared_ptr<TrackFlags>& flags) {
  CLI::App* exp = app.add_subcommand("exp", "experiments: run the pipeline and record it; show, diff");
  exp->require_subcommand(1);

  CLI::App* run = exp->add_subcommand("run", "run the pipeline (repro) with overridden params and record the experiment");
  run->add_option("-S,--set-param", flags->run.set_params, "KEY=VALUE (or FILE:KEY=VALUE), written to params.yaml")
      ->type_name("KEY=VALUE");
  run->add_option("-n,--name", flags->run.name, "experiment name (default: its id)");
  run->add_option("-j,--jobs", flags->run.jobs, "stages run at once (default 1)")->check(CLI::PositiveNumber);
  run->add_option("stages", flags->run.targets, "stages to bring up to date (default: all)");
  run->footer("Example: tinymlops exp run -S train.epochs=80 -S train.hidden=32 --name wider");
  run->callback([flags] {
    const fs::path root = pipeline::find_project_root(fs::current_path());
    store::Repository repo = pipeline::open_pipeline_store(root);
    store::ProjectLock lock(repo);
    auto experiments = track::open_experiment_store(repo.root(), repo.config().tracking);
    const track::ExpRunResult result = track::run_experiment(repo, *experiments, root, flags->run);
    const track::Experiment& e = result.experiment;
    std::printf("recorded experiment %s%s: %s in %.1f s\n", e.id.c_str(),
                e.name == e.id ? "" : (" (" + e.name + ")").c_str(), e.status.c_str(), e.duration_seconds);
    std::printf("next: tinymlops exp show   |   tinymlops model register NAME MODEL --from-exp %s\n", e.id.c_str());
    pipeline::throw_if_failed(result.repro);
  });

  CLI::App* show = exp->add_subcommand("show", "experiments as a table of params and metrics, oldest first");
  show->add_option("--sort", flags->show.sort_by, "sort by this metric (or param)");
  show->add_flag("--desc", flags->show.descending, "largest first");
  show->add_option("--columns", flags->show.columns, "columns to print, comma-separated (id,name,...,a metric)")
      ->delimiter(',');
  show->add_flag("--json", flags->json, "print the experiments as JSON");
  show->add_flag("--csv", flags->csv, "print the table as CSV");
  show->callback([flags] {
    if (flags->json && flags->csv) throw Error(ErrorKind::kUsage, "", "--json and --csv exclude each other");
    auto store = open_store(open_track_project());
    std::vector<track::Experiment> experiments = store->list();
    if (flags->json) {
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const auto& e : track::sort_experiments(experiments, flags->show)) out.push_back(track::to_json(e));
      std::cout << out.dump(2) << "\n";
      return;
    }
    print_table(track::experiments_table(experiments, flags->show), flags->csv);
  });

  CLI::App* diff = exp->add_subcommand("diff", "params, metrics and changed hashes of two experiments, with deltas");
  diff->add_option("a", flags->a, "experiment id or name")->required();
  diff->add_option("b", flags->b, "experiment id or name")->required();
  diff->add_flag("--json", flags->json, "print the rows as JSON");
  diff->callback([flags] { print_experiment_diff(flags->a, flags->b, flags->json, false); });
}

void register_model_registry(CLI::App& app, const std::shared_ptr<TrackFlags>& flags) {
  CLI::App* model = app.add_subcommand("model", "the model registry: versions, aliases, gated promotion, lineage");
  model->require_subcommand(1);

  CLI::App* add = model->add_subcommand("register", "register a model file as the next version of NAME");
  add->add_option("name", flags->request.name, "model name")->required();
  add->add_option("path", flags->request.file, "the model file")->required();
  add->add_option("--metrics", flags->request.metrics_file, "JSON file of metrics (override the experiment's)");
  add->add_option("--from-exp", flags->request.from_experiment, "experiment that produced it (metrics, lineage)");
  add->callback([flags] {
    TrackProject project = open_track_project();
    auto store = open_store(project);
    track::ModelVersion v = track::register_model(*store, project.repo, flags->request);
    std::printf("registered %s@%lld (sha256 %s, %lld bytes%s)\n", v.name.c_str(), static_cast<long long>(v.version),
                v.sha256.substr(0, 12).c_str(), static_cast<long long>(v.size_bytes),
                v.experiment_id.empty() ? "" : (", from " + v.experiment_id).c_str());
  });

  CLI::App* list = model->add_subcommand("list", "registered models with their latest version and aliases");
  list->add_flag("--json", flags->json, "print as JSON");
  list->callback([flags] {
    auto store = open_store(open_track_project());
    if (!flags->json) return print_table(track::models_table(*store), false);
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const std::string& name : store->model_names()) {
      nlohmann::ordered_json versions = nlohmann::ordered_json::array();
      for (const auto& v : store->model_versions(name)) versions.push_back(track::to_json(v));
      out.push_back({{"name", name}, {"versions", versions}});
    }
    std::cout << out.dump(2) << "\n";
  });

  CLI::App* versions = model->add_subcommand("versions", "every version of NAME, oldest first");
  versions->add_option("name", flags->name, "model name")->required();
  versions->add_flag("--json", flags->json, "print as JSON");
  versions->callback([flags] {
    auto store = open_store(open_track_project());
    std::vector<track::ModelVersion> all = store->model_versions(flags->name);
    if (!flags->json) return print_table(track::versions_table(all), false);
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& v : all) out.push_back(track::to_json(v));
    std::cout << out.dump(2) << "\n";
  });

  CLI::App* alias = model->add_subcommand("alias", "point ALIAS (staging, production, any name) at VERSION, no gates");
  alias->add_option("name", flags->name, "model name")->required();
  alias->add_option("version", flags->version, "version number")->required()->check(CLI::PositiveNumber);
  alias->add_option("alias", flags->alias, "alias name")->required();
  alias->callback([flags] {
    track::check_registry_name(flags->alias, "alias");
    auto store = open_store(open_track_project());
    track::AliasMove move = store->set_alias(flags->name, flags->alias, flags->version, "alias");
    std::printf("%s:%s -> %lld%s\n", move.name.c_str(), move.alias.c_str(), static_cast<long long>(move.to_version),
                was(move.from_version).c_str());
  });

  CLI::App* promote = model->add_subcommand("promote", "move an alias to VERSION if it passes the gates of tinymlops.yaml");
  promote->add_option("name", flags->name, "model name")->required();
  promote->add_option("version", flags->version, "version number")->required()->check(CLI::PositiveNumber);
  promote->add_option("--to", flags->to, "alias to move (default production)");
  promote->callback([flags] {
    TrackProject project = open_track_project();
    auto store = open_store(project);
    track::Promotion promotion =
        track::promote_model(*store, flags->name, flags->version, flags->to, project.config.gates, project.gate_source);
    if (promotion.gates.empty()) std::printf("no gates in tinymlops.yaml\n");
    for (const track::GateResult& gate : promotion.gates) std::printf("%s\n", gate.message.c_str());
    std::printf("promoted %s@%lld to %s%s\n", flags->name.c_str(), static_cast<long long>(flags->version),
                flags->to.c_str(), was(promotion.move.from_version).c_str());
  });

  CLI::App* lineage = model->add_subcommand("lineage", "model hash, experiment, data hashes, params, commit, stage");
  lineage->add_option("ref", flags->ref, "NAME (latest), NAME@VERSION or NAME:ALIAS")->required();
  lineage->add_flag("--json", flags->json, "print as JSON");
  lineage->callback([flags] {
    const TrackProject project = open_track_project();
    auto store = open_store(project);
    track::Lineage result = track::model_lineage(*store, track::parse_model_ref(flags->ref), project.repo.root());
    if (flags->json) std::cout << track::lineage_json(result).dump(2) << "\n";
    else std::cout << track::render_lineage(result);
  });
}

}  // namespace

void print_experiment_diff(const std::string& a_ref, const std::string& b_ref, bool json, bool metrics_only) {
  auto store = open_store(open_track_project());
  track::Experiment a = store->get(a_ref), b = store->get(b_ref);
  auto rows = track::diff_experiments(a, b, metrics_only);
  if (json) std::cout << track::diff_json(rows, a, b).dump(2) << "\n";
  else print_table(track::diff_table(rows, a.id, b.id), false);
}

void register_track_commands(CLI::App& app) {
  auto flags = std::make_shared<TrackFlags>();
  register_exp(app, flags);
  register_model_registry(app, flags);
}

}  // namespace tinymlops::cli

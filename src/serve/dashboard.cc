#include "tinymlops/serve/dashboard.h"

#include <regex>
#include <set>

#include "tinymlops/core/error.h"
#include "tinymlops/core/version.h"
#include "tinymlops/store/repository.h"
#include "tinymlops/track/registry.h"
#include "tinymlops/track/report.h"

namespace tinymlops::serve {

namespace {

using Json = nlohmann::ordered_json;

// The project around root_ with its store, open for one call.
struct OpenProject {
  store::Repository repo;
  store::ProjectConfig config;
  std::unique_ptr<track::ExperimentStore> store;
};

OpenProject open_project(const std::filesystem::path& root) {
  store::Repository repo = store::Repository::open(root);
  store::ProjectConfig config = repo.config();
  auto experiments = track::open_experiment_store(repo.root(), config.tracking);
  return {std::move(repo), std::move(config), std::move(experiments)};
}

// "round.12.accuracy": a per-round metric of a federated run.
bool is_round_metric(const std::string& key) {
  static const std::regex pattern(R"(round\.[0-9]+\..+)");
  return std::regex_match(key, pattern);
}

void append_keys(const Json& object, std::vector<std::string>& keys, std::set<std::string>& seen, bool skip_rounds) {
  if (!object.is_object()) return;
  for (const auto& [key, value] : object.items()) {
    if (skip_rounds && is_round_metric(key)) continue;
    if (seen.insert(key).second) keys.push_back(key);
  }
}

std::string gate_source(const OpenProject& project) {
  return (project.repo.root() / "tinymlops.yaml").string() + ": gates";
}

// A version's variant for the compression table (see the header).
std::string variant_of(const track::ModelVersion& v) {
  if (v.metrics.is_object() && v.metrics.contains("variant") && v.metrics["variant"].is_string()) {
    return v.metrics["variant"].get<std::string>();
  }
  const std::string extension = std::filesystem::path(v.source_path).extension().string();
  if (extension == ".tmlm") return "float32";
  return extension.empty() ? "-" : extension.substr(1);
}

// The accuracy of a version and the metric it came from, or {null, ""}.
std::pair<Json, std::string> accuracy_of(const track::ModelVersion& v) {
  for (const char* key : {"accuracy", "after.accuracy"}) {
    if (v.metrics.is_object() && v.metrics.contains(key) && v.metrics[key].is_number()) {
      return {v.metrics[key], key};
    }
  }
  return {Json(), ""};
}

}  // namespace

DashboardData::DashboardData(std::filesystem::path project_root) : root_(std::move(project_root)) {}

Json DashboardData::project() const {
  OpenProject project = open_project(root_);
  return {{"root", project.repo.root().string()},
          {"store", project.store->location()},
          {"tracking", project.config.tracking},
          {"gates", project.config.gates},
          {"experiments", project.store->list().size()},
          {"models", project.store->model_names().size()},
          {"version", kLibraryVersion}};
}

Json DashboardData::experiments() const {
  OpenProject project = open_project(root_);
  std::vector<std::string> params, metrics;
  std::set<std::string> seen_params, seen_metrics;
  Json list = Json::array();
  for (const track::Experiment& e : project.store->list()) {
    append_keys(e.params, params, seen_params, false);
    append_keys(e.metrics, metrics, seen_metrics, true);
    list.push_back(track::to_json(e));
  }
  return {{"params", params}, {"metrics", metrics}, {"experiments", list}};
}

Json DashboardData::compare(const std::string& a_ref, const std::string& b_ref) const {
  OpenProject project = open_project(root_);
  const track::Experiment a = project.store->get(a_ref);
  const track::Experiment b = project.store->get(b_ref);
  Json out = track::diff_json(track::diff_experiments(a, b, false), a, b);
  out["a_name"] = a.name;
  out["b_name"] = b.name;
  for (Json& row : out["rows"]) row["differs"] = row["a"] != row["b"];
  return out;
}

Json DashboardData::models() const {
  OpenProject project = open_project(root_);
  const std::string source = gate_source(project);
  Json models = Json::array();
  for (const std::string& name : project.store->model_names()) {
    Json versions = Json::array();
    for (const track::ModelVersion& v : project.store->model_versions(name)) {
      Json version = track::to_json(v);
      Json gates = Json::array();
      bool all_passed = true;
      for (const track::GateResult& r : track::evaluate_gates(project.config.gates, v.metrics, source)) {
        gates.push_back({{"gate", r.gate.text},
                         {"passed", r.passed},
                         {"actual", r.actual ? Json(*r.actual) : Json()},
                         {"message", r.message}});
        all_passed = all_passed && r.passed;
      }
      version["gates"] = gates;
      version["gates_passed"] = all_passed;
      versions.push_back(version);
    }
    Json moves = Json::array();
    for (const track::AliasMove& move : project.store->alias_moves(name)) moves.push_back(track::to_json(move));
    models.push_back({{"name", name}, {"versions", versions}, {"alias_moves", moves}});
  }
  return {{"gates", project.config.gates}, {"models", models}};
}

Json DashboardData::lineage(const std::string& ref) const {
  OpenProject project = open_project(root_);
  return track::lineage_json(track::model_lineage(*project.store, track::parse_model_ref(ref), project.repo.root()));
}

Json DashboardData::compression(const std::string& name) const {
  OpenProject project = open_project(root_);
  const std::vector<track::ModelVersion> versions = project.store->model_versions(name);
  const track::ModelVersion& first = versions.front();  // model_versions throws for an unknown name
  const Json first_accuracy = accuracy_of(first).first;
  Json rows = Json::array();
  for (const track::ModelVersion& v : versions) {
    auto [accuracy, metric] = accuracy_of(v);
    Json delta;
    if (accuracy.is_number() && first_accuracy.is_number()) {
      delta = (accuracy.get<double>() - first_accuracy.get<double>()) * 100.0;
    }
    rows.push_back({{"version", v.version},
                    {"aliases", v.aliases},
                    {"variant", variant_of(v)},
                    {"source_path", v.source_path},
                    {"size_bytes", v.size_bytes},
                    {"ratio", v.size_bytes > 0 ? Json(static_cast<double>(first.size_bytes) /
                                                      static_cast<double>(v.size_bytes))
                                               : Json()},
                    {"accuracy", accuracy},
                    {"accuracy_metric", metric},
                    {"delta_accuracy", delta}});
  }
  return {{"model", name}, {"rows", rows}};
}

}  // namespace tinymlops::serve

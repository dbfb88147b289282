#include "tinymlops/track/registry.h"

#include <charconv>
#include <set>
#include <system_error>

#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/core/hash.h"
#include "tinymlops/pipeline/lock.h"

namespace tinymlops::track {

namespace fs = std::filesystem;

namespace {

nlohmann::ordered_json read_metrics_file(const fs::path& file) {
  std::string text = read_file(file);
  nlohmann::ordered_json metrics;
  try {
    metrics = nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // Turn the byte offset into line:column.
    size_t line = 1, column = 1;
    for (size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') ++line, column = 1;
      else ++column;
    }
    throw Error(ErrorKind::kParse, file.string() + ":" + std::to_string(line) + ":" + std::to_string(column),
                "invalid JSON in the metrics file");
  }
  if (!metrics.is_object()) {
    throw Error(ErrorKind::kInvalid, file.string(), "a metrics file holds one JSON object, e.g. {\"accuracy\": 0.93}");
  }
  return flatten_json(metrics);
}

// The file's path relative to the project root when it is inside, so that lineage
// reads the same in every clone; else its absolute path.
std::string source_path_in(const fs::path& project_root, const fs::path& file) {
  std::error_code ec;
  fs::path relative = fs::weakly_canonical(fs::absolute(file), ec).lexically_relative(fs::weakly_canonical(project_root, ec));
  if (ec || relative.empty() || *relative.begin() == "..") return fs::absolute(file).lexically_normal().string();
  return relative.string();
}

}  // namespace

void check_registry_name(const std::string& name, const std::string& what) {
  bool ok = !name.empty() && name.size() <= 100;
  for (char c : name) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                   c == '.' || c == '-';
    ok = ok && allowed;
  }
  if (!ok) {
    throw Error(ErrorKind::kUsage, name, "invalid " + what + ": use letters, digits, '_', '.' and '-' (at most 100)");
  }
}

std::vector<std::string> registered_hashes(ExperimentStore& store) {
  std::set<std::string> hashes;
  for (const std::string& name : store.model_names())
    for (const ModelVersion& v : store.model_versions(name)) hashes.insert(v.sha256);
  return {hashes.begin(), hashes.end()};
}

ModelVersion register_model(ExperimentStore& store, store::Repository& repo, const RegisterRequest& request) {
  check_registry_name(request.name, "model name");
  std::error_code ec;
  if (!fs::is_regular_file(request.file, ec)) {
    throw Error(ErrorKind::kIo, request.file.string(),
                fs::exists(request.file, ec) ? "not a regular file: register one model file" : "no such file");
  }
  ModelVersion v;
  v.name = request.name;
  v.source_path = source_path_in(repo.root(), request.file);
  v.metrics = nlohmann::ordered_json::object();
  if (!request.from_experiment.empty()) {
    Experiment e = store.get(request.from_experiment);
    v.experiment_id = e.id;
    if (e.metrics.is_object()) v.metrics = e.metrics;
  }
  if (!request.metrics_file.empty()) {
    nlohmann::ordered_json from_file = read_metrics_file(request.metrics_file);
    for (const auto& [key, value] : from_file.items()) v.metrics[key] = value;
  }
  v.sha256 = repo.save(request.file);
  v.size_bytes = static_cast<int64_t>(fs::file_size(request.file, ec));
  ModelVersion added = store.add_model_version(std::move(v));
  repo.set_references("registry", registered_hashes(store));
  return added;
}

ModelRef parse_model_ref(const std::string& text) {
  ModelRef ref;
  size_t at = text.find('@');
  size_t colon = text.find(':');
  if (at != std::string::npos && colon != std::string::npos) {
    throw Error(ErrorKind::kUsage, text, "expected NAME, NAME@VERSION or NAME:ALIAS");
  }
  if (at != std::string::npos) {
    ref.name = text.substr(0, at);
    std::string number = text.substr(at + 1);
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), ref.version);
    if (ec != std::errc() || end != number.data() + number.size() || ref.version < 1) {
      throw Error(ErrorKind::kUsage, text, "the version after '@' must be a positive whole number");
    }
  } else if (colon != std::string::npos) {
    ref.name = text.substr(0, colon);
    ref.alias = text.substr(colon + 1);
    check_registry_name(ref.alias, "alias");
  } else {
    ref.name = text;
  }
  check_registry_name(ref.name, "model name");
  return ref;
}

ModelVersion resolve_model_ref(ExperimentStore& store, const ModelRef& ref) {
  if (!ref.alias.empty()) return store.model_version(ref.name, store.alias_version(ref.name, ref.alias));
  if (ref.version > 0) return store.model_version(ref.name, ref.version);
  return store.model_versions(ref.name).back();
}

Promotion promote_model(ExperimentStore& store, const std::string& name, int64_t version, const std::string& alias,
                        const std::vector<std::string>& gates, const std::string& gate_source) {
  check_registry_name(alias, "alias");
  ModelVersion v = store.model_version(name, version);
  Promotion promotion;
  promotion.gates = evaluate_gates(gates, v.metrics, gate_source);
  const GateResult* first_failure = nullptr;
  int failures = 0;
  for (const GateResult& result : promotion.gates) {
    if (result.passed) continue;
    if (!first_failure) first_failure = &result;
    ++failures;
  }
  if (first_failure) {
    std::string more = failures > 1 ? " (and " + std::to_string(failures - 1) + " more failed gate" +
                                          (failures > 2 ? "s" : "") + ")"
                                    : "";
    throw Error(ErrorKind::kInvalid, name + "@" + std::to_string(version),
                first_failure->message + more + "; not promoted to " + alias);
  }
  promotion.move = store.set_alias(name, alias, version, "promote");
  return promotion;
}

Lineage model_lineage(ExperimentStore& store, const ModelRef& ref, const fs::path& project_root) {
  Lineage lineage;
  lineage.model = resolve_model_ref(store, ref);
  if (!lineage.model.experiment_id.empty()) {
    lineage.experiment = store.get(lineage.model.experiment_id);
    if (lineage.experiment->hashes.is_object()) {
      for (const auto& [path, hash] : lineage.experiment->hashes.items()) {
        if (hash.is_string() && hash.get<std::string>() == lineage.model.sha256) {
          lineage.produced_as = path;
          break;
        }
      }
    }
  }
  if (lineage.experiment && lineage.experiment->stage.empty() && !lineage.produced_as.empty() &&
      !project_root.empty()) {
    const pipeline::LockFile lock = pipeline::read_lock(project_root / "pipeline.lock");
    for (const auto& [stage, entry] : lock.stages) {
      for (const pipeline::PathHash& out : entry.outs) {
        if (out.path == lineage.produced_as && out.hash == lineage.model.sha256) lineage.experiment->stage = stage;
      }
    }
  }
  lineage.alias_moves = store.alias_moves(lineage.model.name);
  return lineage;
}

}  // namespace tinymlops::track

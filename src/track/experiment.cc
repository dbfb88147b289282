#include "tinymlops/track/experiment.h"

#include <ctime>

namespace tinymlops::track {

namespace {

void flatten_into(const nlohmann::ordered_json& value, const std::string& prefix, nlohmann::ordered_json& out) {
  if (value.is_object() && !value.empty()) {
    for (const auto& [key, child] : value.items()) flatten_into(child, prefix.empty() ? key : prefix + "." + key, out);
  } else {
    out[prefix] = value;
  }
}

}  // namespace

nlohmann::ordered_json flatten_json(const nlohmann::ordered_json& value) {
  if (!value.is_object()) return value;
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [key, child] : value.items()) flatten_into(child, key, out);
  return out;
}

std::string utc_now_iso8601() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

nlohmann::ordered_json to_json(const Experiment& e) {
  return {{"id", e.id},
          {"name", e.name},
          {"status", e.status},
          {"started_at", e.started_at},
          {"duration_seconds", e.duration_seconds},
          {"git_commit", e.git_commit},
          {"stage", e.stage},
          {"params", e.params.is_null() ? nlohmann::ordered_json::object() : e.params},
          {"metrics", e.metrics.is_null() ? nlohmann::ordered_json::object() : e.metrics},
          {"hashes", e.hashes.is_null() ? nlohmann::ordered_json::object() : e.hashes}};
}

nlohmann::ordered_json to_json(const ModelVersion& v) {
  return {{"name", v.name},
          {"version", v.version},
          {"sha256", v.sha256},
          {"size_bytes", v.size_bytes},
          {"source_path", v.source_path},
          {"experiment_id", v.experiment_id},
          {"registered_at", v.registered_at},
          {"aliases", v.aliases},
          {"metrics", v.metrics.is_null() ? nlohmann::ordered_json::object() : v.metrics}};
}

nlohmann::ordered_json to_json(const AliasMove& m) {
  return {{"name", m.name},
          {"alias", m.alias},
          {"from_version", m.from_version == 0 ? nlohmann::ordered_json() : nlohmann::ordered_json(m.from_version)},
          {"to_version", m.to_version},
          {"moved_at", m.moved_at},
          {"via", m.via}};
}

}  // namespace tinymlops::track

// `model list`, `model versions` and `model lineage` output.
#include <algorithm>

#include "tinymlops/track/report.h"

namespace tinymlops::track {

namespace {

using Json = nlohmann::ordered_json;

std::string metrics_summary(const Json& metrics) {
  std::string text;
  if (!metrics.is_object()) return "-";
  for (const auto& [key, value] : metrics.items()) text += (text.empty() ? "" : " ") + key + "=" + format_value(value);
  return text.empty() ? "-" : text;
}

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : separator) + item;
  return text;
}

// "key  value" lines, keys padded to the widest, indented by two spaces.
std::string key_values(const Json& object) {
  if (!object.is_object() || object.empty()) return "  (none)\n";
  size_t width = 0;
  for (const auto& [key, value] : object.items()) width = std::max(width, key.size());
  std::string out;
  for (const auto& [key, value] : object.items())
    out += "  " + key + std::string(width - key.size() + 2, ' ') + format_value(value) + "\n";
  return out;
}

}  // namespace

Table models_table(ExperimentStore& store) {
  Table table{{"name", "versions", "latest", "aliases"}, {}};
  for (const std::string& name : store.model_names()) {
    std::vector<ModelVersion> versions = store.model_versions(name);
    std::vector<std::string> aliases;
    for (const ModelVersion& v : versions)
      for (const std::string& alias : v.aliases) aliases.push_back(alias + "=" + std::to_string(v.version));
    std::sort(aliases.begin(), aliases.end());
    table.rows.push_back({name, std::to_string(versions.size()), std::to_string(versions.back().version),
                          aliases.empty() ? "-" : join(aliases, " ")});
  }
  return table;
}

Table versions_table(const std::vector<ModelVersion>& versions) {
  Table table{{"version", "sha256", "size", "experiment", "registered", "aliases", "metrics"}, {}};
  for (const ModelVersion& v : versions) {
    table.rows.push_back({std::to_string(v.version), v.sha256.substr(0, 12), std::to_string(v.size_bytes),
                          v.experiment_id.empty() ? "-" : v.experiment_id, v.registered_at,
                          v.aliases.empty() ? "-" : join(v.aliases, ","), metrics_summary(v.metrics)});
  }
  return table;
}

std::string render_lineage(const Lineage& lineage) {
  const ModelVersion& m = lineage.model;
  std::string out;
  out += "model       " + m.name + "@" + std::to_string(m.version) +
         (m.aliases.empty() ? "" : " (" + join(m.aliases, ", ") + ")") + "\n";
  out += "sha256      " + m.sha256 + "\n";
  out += "size        " + std::to_string(m.size_bytes) + " bytes\n";
  out += "registered  " + m.registered_at + " from " + m.source_path + "\n";
  if (!lineage.experiment) {
    out += "experiment  - (registered from a file)\n";
  } else {
    const Experiment& e = *lineage.experiment;
    out += "experiment  " + e.id + (e.name != e.id ? " (" + e.name + ")" : "") + ", " +
           (e.status.empty() ? "-" : e.status) + ", started " + e.started_at + ", " +
           format_number(e.duration_seconds) + "s\n";
    out += "git commit  " + (e.git_commit.empty() ? std::string("-") : e.git_commit) + "\n";
    out += "stage       " + (e.stage.empty() ? std::string("-") : e.stage) +
           (lineage.produced_as.empty() ? "" : " (wrote " + lineage.produced_as + ")") + "\n";
    out += "params\n" + key_values(e.params);
    out += "data and outputs (sha256)\n" + key_values(e.hashes);
  }
  out += "metrics\n" + key_values(m.metrics);
  out += "alias moves\n";
  if (lineage.alias_moves.empty()) out += "  (none)\n";
  for (const AliasMove& move : lineage.alias_moves) {
    out += "  " + move.moved_at + "  " + move.alias + ": " +
           (move.from_version ? std::to_string(move.from_version) : std::string("-")) + " -> " +
           std::to_string(move.to_version) + " (" + move.via + ")\n";
  }
  return out;
}

nlohmann::ordered_json lineage_json(const Lineage& lineage) {
  Json out = {{"model", to_json(lineage.model)},
              {"experiment", lineage.experiment ? to_json(*lineage.experiment) : Json()},
              {"produced_as", lineage.produced_as.empty() ? Json() : Json(lineage.produced_as)},
              {"alias_moves", Json::array()}};
  for (const AliasMove& move : lineage.alias_moves) out["alias_moves"].push_back(to_json(move));
  return out;
}

}  // namespace tinymlops::track

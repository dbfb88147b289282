#include "tinymlops/pipeline/metrics.h"

#include <cstdio>
#include <map>
#include <set>

#include "pipeline/stage_state.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/pipeline/params.h"

namespace tinymlops::pipeline {

namespace fs = std::filesystem;

nlohmann::ordered_json read_metrics_file(const fs::path& file) {
  nlohmann::ordered_json document;
  if (file.extension() == ".json") {
    try {
      document = nlohmann::ordered_json::parse(read_file(file));
    } catch (const nlohmann::json::parse_error& e) {
      throw Error(ErrorKind::kParse, file.string() + ":" + std::to_string(e.byte), "malformed JSON");
    }
  } else {
    document = read_yaml_as_json(file);
  }
  if (!document.is_object()) throw Error(ErrorKind::kInvalid, file.string(), "a metrics file must hold a mapping of names to values");
  return flatten(document);
}

nlohmann::ordered_json collect_metrics(const Pipeline& pipeline) {
  nlohmann::ordered_json all = nlohmann::ordered_json::object();
  for (const Stage& stage : pipeline.stages) {
    for (const std::string& file : stage.metrics) {
      const fs::path path = in_project(pipeline, file);
      all[file] = fs::exists(path) ? read_metrics_file(path) : nlohmann::ordered_json();
    }
  }
  return all;
}

std::vector<MetricChange> diff_metrics(const Pipeline& pipeline, const LockFile& lock) {
  const nlohmann::ordered_json workspace = collect_metrics(pipeline);
  std::map<std::string, nlohmann::ordered_json> recorded;  // file -> values
  for (const auto& [name, entry] : lock.stages) {
    for (const auto& [file, values] : entry.metrics) recorded[file] = values;
  }
  std::vector<MetricChange> rows;
  for (const auto& [file, values] : workspace.items()) {
    const nlohmann::ordered_json old_values =
        recorded.count(file) ? recorded[file] : nlohmann::ordered_json::object();
    std::set<std::string> seen;
    auto add = [&](const std::string& key, const nlohmann::ordered_json& new_value) {
      MetricChange row{file, key, old_values.contains(key) ? old_values[key] : nlohmann::ordered_json(), new_value, {}};
      if (row.old_value.is_number() && row.new_value.is_number()) {
        if (row.old_value.is_number_integer() && row.new_value.is_number_integer()) {
          row.change = row.new_value.get<int64_t>() - row.old_value.get<int64_t>();
        } else {
          row.change = row.new_value.get<double>() - row.old_value.get<double>();
        }
      }
      rows.push_back(std::move(row));
      seen.insert(key);
    };
    if (values.is_object()) {
      for (const auto& [key, value] : values.items()) add(key, value);
    }
    std::set<std::string> only_old;
    for (const auto& [key, value] : old_values.items()) {
      if (!seen.count(key)) only_old.insert(key);
    }
    for (const std::string& key : only_old) add(key, nullptr);
  }
  return rows;
}

std::string format_metric(const nlohmann::ordered_json& value) {
  if (value.is_null()) return "-";
  if (value.is_number_float()) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.6g", value.get<double>());
    return buffer;
  }
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

nlohmann::ordered_json metric_changes_to_json(const std::vector<MetricChange>& changes) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const MetricChange& c : changes) {
    rows.push_back({{"path", c.file}, {"metric", c.key}, {"old", c.old_value}, {"new", c.new_value}, {"change", c.change}});
  }
  return rows;
}

}  // namespace tinymlops::pipeline

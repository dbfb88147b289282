// Metrics files of the stages: read, flattened, compared with pipeline.lock.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tinymlops/pipeline/lock.h"
#include "tinymlops/pipeline/pipeline.h"

namespace tinymlops::pipeline {

// A metrics file (".json"; anything else is read as YAML, which includes JSON),
// nested keys flattened to dotted names. Error naming the file when malformed
// or when the top level is not an object.
nlohmann::ordered_json read_metrics_file(const std::filesystem::path& file);

// {"metrics.json": {"accuracy": 0.97, ...}, ...} for every metrics file the stages
// declare (in stage order). A missing file maps to null.
nlohmann::ordered_json collect_metrics(const Pipeline& pipeline);

// One row per (file, metric) present in the workspace or in the lock.
struct MetricChange {
  std::string file;
  std::string key;
  nlohmann::ordered_json old_value;  // null when not in the lock
  nlohmann::ordered_json new_value;  // null when not in the workspace
  // new - old for numbers, null otherwise.
  nlohmann::ordered_json change;
};

// Workspace metrics against the values recorded in `lock`, files in stage order,
// keys in the workspace file's order (then keys only in the lock, sorted).
std::vector<MetricChange> diff_metrics(const Pipeline& pipeline, const LockFile& lock);
// The changes as `metrics diff --json` prints them:
// [{"path", "metric", "old", "new", "change"}, ...].
nlohmann::ordered_json metric_changes_to_json(const std::vector<MetricChange>& changes);

// A value as a table shows it: numbers with up to 6 significant digits, "-" for null.
std::string format_metric(const nlohmann::ordered_json& value);

}  // namespace tinymlops::pipeline

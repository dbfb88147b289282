// What `exp show`, `exp diff`, `metrics diff`, `model list|versions|lineage` print:
// tables and documents built from store records, rendered deterministically.
//
// Numbers: integral values below 1e15 print as integers ("65536"); others with up to
// 6 significant digits, locale-independent ("0.8712", "1.5e-07"). Deltas carry a sign
// ("+0.02", "-3"). Missing values print as "-".
//
// Example:
//
//   track::ShowOptions options{.sort_by = "accuracy", .descending = true};
//   std::cout << render_text(track::experiments_table(store->list(), options));
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tinymlops/core/table.h"
#include "tinymlops/track/experiment.h"
#include "tinymlops/track/registry.h"

namespace tinymlops::track {

std::string format_number(double value);   // see above
std::string format_delta(double delta);    // "+0.02", "-3", "0"
// A JSON value as a cell: numbers by format_number, strings as they are, null/missing "-",
// others as compact JSON.
std::string format_value(const nlohmann::ordered_json& value);

struct ShowOptions {
  std::string sort_by;               // a metric (or else param) name; "" keeps record order
  bool descending = false;
  std::vector<std::string> columns;  // empty: id, name, status, started, duration, params..., metrics...
};
// Sorting puts experiments lacking a numeric sort_by value last, in record order.
// Throws Error(kUsage) for a sort_by or column that no experiment has, listing the known ones.
std::vector<Experiment> sort_experiments(std::vector<Experiment> experiments, const ShowOptions& options);
Table experiments_table(const std::vector<Experiment>& experiments, const ShowOptions& options);

// One line of `exp diff` / `metrics diff`.
struct DiffRow {
  std::string section;        // "params", "metrics" or "hashes"
  std::string key;
  nlohmann::ordered_json a;   // null when missing in A
  nlohmann::ordered_json b;   // null when missing in B
  nlohmann::ordered_json delta;  // b - a when both are numbers, else null
};
// Params and metrics (all keys, A's order then B's new ones), then the hashes that
// differ. `metrics_only` keeps only the metrics.
std::vector<DiffRow> diff_experiments(const Experiment& a, const Experiment& b, bool metrics_only);
Table diff_table(const std::vector<DiffRow>& rows, const std::string& a_label, const std::string& b_label);
nlohmann::ordered_json diff_json(const std::vector<DiffRow>& rows, const Experiment& a, const Experiment& b);

// `model list`: name, versions, latest, aliases ("production=2 staging=3").
Table models_table(ExperimentStore& store);
// `model versions NAME`: version, sha256 (12 digits), size, experiment, registered, aliases, metrics.
Table versions_table(const std::vector<ModelVersion>& versions);

std::string render_lineage(const Lineage& lineage);
nlohmann::ordered_json lineage_json(const Lineage& lineage);

}  // namespace tinymlops::track

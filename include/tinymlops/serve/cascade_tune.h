// Choosing the cascade's threshold offline (`tinymlops cascade tune`): both models
// run on a labelled validation CSV; a row below the threshold takes the big model's
// answer, the others the edge's (a good link and battery assumed). The sweep gives
// accuracy against offload rate, and the smallest offload rate whose accuracy meets
// the target.
//
// Example:
//
//   serve::TuneConfig config{.edge_model = "edge.tdm", .big_model = "big.tmlm", .data = "val.csv", .within_pp = 0.5};
//   serve::TuneReport report = serve::run_cascade_tune(config);
//   if (report.best) use(report.best->threshold);   // offloads report.best->offload_rate of the rows
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace tinymlops::serve {

struct TunePoint {
  double threshold = 0;     // offload rows whose edge confidence < threshold
  double accuracy = 0;
  double offload_rate = 0;  // fraction of rows offloaded
};

struct TuneReport {
  size_t rows = 0;
  double edge_accuracy = 0, big_accuracy = 0;
  double target_accuracy = 0;
  std::vector<TunePoint> table;    // at the requested thresholds, ascending
  std::optional<TunePoint> best;   // the smallest offload rate meeting the target; nullopt when none does
};

// The sweep over per-row outcomes (all three vectors of the same length, not empty).
// `best` is exact: every distinct cut of the rows sorted by edge confidence is tried
// (rows of equal confidence go together), and its threshold lies midway between the
// last offloaded confidence and the next (1.0 or just above when every row is
// offloaded, 0 when none is). The table evaluates `table_thresholds` as given.
TuneReport tune_thresholds(const std::vector<double>& edge_confidence, const std::vector<bool>& edge_correct,
                           const std::vector<bool>& big_correct, double target_accuracy,
                           const std::vector<double>& table_thresholds);

struct TuneConfig {
  std::filesystem::path edge_model, big_model, data;
  // The target: target_accuracy when > 0, else the big model's accuracy minus
  // within_pp percentage points.
  double target_accuracy = 0;
  double within_pp = 0.5;
  double step = 0.05;  // table thresholds 0, step, 2*step, ..., 1
};

// Loads both models (same label column and classes, else Error(kInvalid) naming the
// big model) and the CSV (Error naming its place), then tune_thresholds.
TuneReport run_cascade_tune(const TuneConfig& config);

// `cascade tune --json`: {"rows", "edge_accuracy", "big_accuracy", "target_accuracy",
// "table": [{"threshold", "accuracy", "offload_rate"}], "best": the same or null}.
nlohmann::ordered_json to_json(const TuneReport& report);

// The table as CSV ("threshold,accuracy,offload_rate"), and as an SVG line chart
// (x = threshold; accuracy and offload rate as series).
std::string tune_table_csv(const TuneReport& report);
std::string tune_plot_svg(const TuneReport& report);

}  // namespace tinymlops::serve

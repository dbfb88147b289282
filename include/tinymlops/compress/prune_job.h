// The job behind `tinymlops prune`: load a trained model and its data, prune
// it (weights or whole units), fine-tune, measure before and after, write the
// pruned float model.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tinymlops/compress/fine_tune_report.h"
#include "tinymlops/compress/prune.h"
#include "tinymlops/core/progress.h"
#include "tinymlops/nn/model.h"

namespace tinymlops {

struct PruneConfig {
  std::string model;  // trained model (.tmlm)
  std::string data;   // CSV with the model's columns: fine-tuning and held-out metrics
  std::string label;  // must be the model's label column when given
  double sparsity = 0.5;  // fraction of weights zeroed, or of hidden units removed (structured)
  bool structured = false;
  UnitNorm norm = UnitNorm::kL2;  // structured: how units and filters are ranked
  bool global = true;     // rank all layers' weights together (else each layer to the target)
  bool gradual = false;   // polynomial ramp during fine-tuning (else one shot, then fine-tune)
  int epochs = 10;        // fine-tuning epochs (0: none)
  float learning_rate = 1e-3f;
  bool drop_bad_rows = false;
  std::string out;  // pruned model (.tmlm); empty: not written
};

// Output units (Dense) or filters (convolution) of one layer before and after
// structured pruning.
struct UnitCount {
  std::string layer;  // "layers[i] (kind)"
  int before = 0, after = 0;
};

// What `tinymlops prune` did and measured.
struct PruneReport {
  double sparsity = 0;      // PruneConfig::sparsity
  bool structured = false;  // whole units/filters removed (else single weights zeroed)
  std::string norm;         // structured: unit_norm_name of PruneConfig::norm ("l1", "l2"); else empty
  bool global = true;       // PruneConfig::global
  bool gradual = false;     // PruneConfig::gradual
  int64_t params_before = 0, params_after = 0;    // trainable parameters of the model before and after
  int64_t nonzero_before = 0, nonzero_after = 0;  // weights (not biases) that are not zero
  std::vector<UnitCount> units;        // structured: each Dense/convolution layer's units or filters
  std::vector<LayerSparsity> layers;   // the pruned model's weights and zeros per layer
  FineTuneReport fine_tune;            // rows, metrics before and after, the file written
};

// The report as `prune --json` prints it, keys in this order:
// {"sparsity","structured",["norm" (structured)],"global","gradual",
//  "split","train_rows","eval_rows","params_before","nonzero_before",
//  ["units":[{"layer","before","after"}] (structured)],"params_after","nonzero_after",
//  ["before":{metrics},"after":{metrics},"drop" (eval_rows > 0)],
//  "layers":[{"layer","weights","zeros"}],["model","file_bytes" (written)]}
nlohmann::ordered_json to_json(const PruneReport& report);

struct PruneResult {
  Model model;
  PruneReport report;
};

// Prunes and fine-tunes (same rows as run_quantize, compress/quantize_job.h: the
// model's training split when `data` is its training file). The result is a float
// model: quantize it next. Throws Error(kUsage) for a sparsity outside [0, 1).
// "before" metrics are the trained model's, "after" the pruned and fine-tuned one's.
PruneResult run_prune(const PruneConfig& config, Progress& progress);
// The same on a model already in memory (config.model unused); `source_sha256`
// is recorded as the pruned model's source.
PruneResult prune_trained(Model model, const std::string& source_sha256, const PruneConfig& config,
                          Progress& progress);

}  // namespace tinymlops

// The job behind `tinymlops prune`: load a trained model and its data, prune
// it (weights or whole units), fine-tune, measure before and after, write the
// pruned float model.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

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

struct PruneResult {
  Model model;
  // {"sparsity","structured","global","gradual","split","train_rows","eval_rows",
  //  "params_before","params_after","nonzero_before","nonzero_after",
  //  "before":{metrics},"after":{metrics},"drop",
  //  "layers":[{"layer","weights","zeros"}],"model","file_bytes"}; structured
  //  adds "norm" and "units":[{"layer","before","after"}] (units or filters of
  //  each Dense/convolution layer).
  nlohmann::ordered_json report;
};

// Prunes and fine-tunes (same rows as run_quantize, compress/quantize_job.h: the
// model's training split when `data` is its training file). The result is a float
// model: quantize it next. Throws Error(kUsage) for a sparsity outside [0, 1).
PruneResult run_prune(const PruneConfig& config, Progress& progress);
PruneResult prune_trained(Model model, const std::string& source_sha256, const PruneConfig& config,
                          Progress& progress);

}  // namespace tinymlops

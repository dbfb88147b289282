// The job behind `tinymlops quantize`: load a trained model and its data, lower,
// quantize, measure before and after, write the deploy model.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "tinymlops/compress/ptq.h"
#include "tinymlops/core/progress.h"
#include "tinymlops/nn/model.h"
#include "tinymlops/runtime/deploy_model.h"

namespace tinymlops {

struct QuantizeConfig {
  std::string model;  // trained model (.tmlm)
  std::string data;   // CSV with the model's feature and label columns
  std::string label;  // must be the model's label column when given
  std::string method = "ptq";  // "qat": fine-tune with fake quantization first; "fp16", "dynamic": weight-only
  int bits = 8;                // weight bits: 8 or 4; 16 means int16x8 (activation_bits 16, 8-bit weights)
  int activation_bits = 8;     // 8, or 16: int16x8 (ptq only, with 8-bit weights; ptq.h)
  int epochs = 10;             // QAT fine-tuning epochs
  float learning_rate = 1e-4f;  // QAT fine-tuning learning rate
  // QAT: calibrate activation ranges afresh (as for ptq) instead of deploying
  // the moving-average ranges QAT trained with (qat.h).
  bool qat_recalibrate = false;
  int64_t budget_bytes = 0;     // > 0: mixed precision (mixed_precision.h) to fit this many constant bytes
  PtqOptions ptq;
  int calibration_samples = 500;  // at most this many training rows calibrate
  bool drop_bad_rows = false;
  std::string out;  // deploy model to write (.tdm); empty: not written
};

// "int8" -> 8, "int16" -> 16 (QuantizeConfig::activation_bits); throws
// Error(kUsage) at "--activations" for anything else.
int parse_activation_bits(const std::string& name);

struct QuantizeResult {
  DeployModel model;
  // {"method","bits","activations","variant","calibration",["activation_ranges": "trained"|"calibrated" (qat)],
  //  "per_channel","split","calibration_rows",
  //  "eval_rows","bytes":{"float32":{"weights","biases","tables"},"int8":{...}},
  //  "weight_ratio" (weights only),"weight_bytes_before" (all constants),
  //  "weight_bytes_after","ratio","before":{metrics},"after":{metrics},
  //  "drop","layers":[{"op","sqnr_db"}],"model","file_bytes"}
  nlohmann::ordered_json report;
};

// Rows: when `data` is the file the model was trained on (same SHA-256), its
// training split is rebuilt from the recorded seed and fractions: calibration
// draws from the training rows and before/after metrics use the test rows.
// Otherwise the data is split anew (test 20%, seed 0). "drop" is the accuracy
// lost in percentage points (classification) or the RMSE gained (regression).
// Throws Error(kUsage) for an unsupported method or bit width (int16
// activations go with method ptq, 8-bit weights and no budget). "before" metrics
// are the float model's; "after" the deployed model's (after QAT, if any).
QuantizeResult run_quantize(const QuantizeConfig& config, Progress& progress);
// The same on a model already in memory (config.model unused); `source_sha256`
// is recorded as the quantized model's source.
QuantizeResult quantize_trained(Model& model, const std::string& source_sha256, const QuantizeConfig& config,
                                Progress& progress);

}  // namespace tinymlops

// The job behind `tinymlops quantize`: load a trained model and its data, lower,
// quantize, measure before and after, write the deploy model.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tinymlops/compress/mixed_precision.h"
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

// Constant bytes of a deploy model by what they hold.
struct ConstantBytes {
  int64_t weights = 0, biases = 0;  // of fully-connected and convolution ops
  int64_t tables = 0;               // lookup tables of integer activations
  int64_t codebooks = 0;            // of clustered weights
};

// What `tinymlops quantize` did and measured.
struct QuantizeReport {
  std::string method;             // "ptq", "qat", "fp16" or "dynamic"
  int bits = 8;                   // weight bits asked for (QuantizeConfig::bits)
  std::string activations;        // "int8", "int16", or "float32" (weight-only methods)
  std::string variant;            // the deploy model's
  std::string calibration;        // calibration_name of the activation ranges
  std::string activation_ranges;  // qat: "trained" or "calibrated"; empty for the other methods
  int64_t budget_bytes = 0;       // > 0: mixed precision to this budget, chosen per op in `precision`
  std::vector<LayerPrecision> precision;
  bool per_channel = true;
  std::string split;              // which rows calibrated and measured (HeldOutRows::split)
  size_t calibration_rows = 0, eval_rows = 0;
  ConstantBytes float32_bytes, quantized_bytes;  // before (lowered float model) and after
  double weight_ratio = 0;        // float32_bytes.weights / quantized_bytes.weights
  int64_t weight_bytes_before = 0, weight_bytes_after = 0;  // every constant
  double ratio = 0;               // weight_bytes_before / weight_bytes_after
  // When eval_rows > 0: the task's metrics (metrics.h) of the float model and of
  // the deployed one on the held-out rows, and the accuracy points lost
  // (classification) or RMSE gained (regression).
  nlohmann::ordered_json before, after;
  double drop = 0;
  std::vector<LayerError> layers;  // per-op SQNR of the deployed model against the float one
  std::string model;               // the file written (QuantizeConfig::out), or empty
  size_t file_bytes = 0;
};

// The report as `quantize --json` prints it, keys in this order:
// {"method","bits","activations","variant","calibration",["activation_ranges" (qat)],
//  ["budget_bytes","precision":[{"op","widths","sensitivity","bits"}] (with a budget)],
//  "per_channel","split","calibration_rows","eval_rows",
//  "bytes":{"float32":{"weights","biases","tables","codebooks"},"quantized":{...}},
//  "weight_ratio","weight_bytes_before","weight_bytes_after","ratio",
//  ["before":{metrics},"after":{metrics},"drop" (eval_rows > 0)],
//  "layers":[{"op","sqnr_db" (a number, or "inf")}],["model","file_bytes" (written)]}
nlohmann::ordered_json to_json(const QuantizeReport& report);

struct QuantizeResult {
  DeployModel model;
  QuantizeReport report;
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

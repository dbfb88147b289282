// Post-training quantization of a float32 DeployModel to int8, or to int16x8.
//
// Weights: symmetric int8, one scale per output channel (or one per tensor),
// scale = max|w| / 127. Biases: int32 at scale input_scale * weight_scale.
// Activations: asymmetric int8 over a range chosen from a calibration set
// (calibration.h). The float input is quantized by a first Quantize op; the
// output is dequantized before a final softmax (kept in float) or at the end.
// Element-wise activations other than ReLU/ReLU6 become 256-entry tables.
//
// int16x8 (activation_bits = 16, TFLite's 16x8 mode; kernels/tml_common.h):
// activations int16 and symmetric (zero point 0), scale = 2 max(|low|, |high|)
// / 32767 of the calibrated range (one bit of headroom: int8 weights push
// values a few percent past the float model's range); weights as above but always int8 and dense
// (no int4, codebook or sparse kernels take int16 input); biases int64;
// element-wise activations become 513-entry interpolated int16 tables. The
// variant is "int16x8".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tinymlops/compress/calibration.h"
#include "tinymlops/runtime/deploy_model.h"

namespace tinymlops {

struct PtqOptions {
  Calibration calibration = Calibration::kMinMax;
  bool per_channel = true;
  // 8, or 4: the weights of every fully-connected and convolution op in
  // [-7, 7], packed two per byte.
  int weight_bits = 8;
  // Mixed precision: weight bits (4 or 8) per op index of the float model,
  // overriding weight_bits for that op; 0 or missing: weight_bits.
  std::vector<int> op_weight_bits;
  // 8: int8 activations; 16: int16x8 (REQUIRES weight_bits 8 and no
  // op_weight_bits).
  int activation_bits = 8;
  // Activation ranges fixed ahead instead of calibrated, e.g. the ranges QAT
  // trained with (qat.h, op_ranges): entry k is the range of the output of
  // ops[k] of the float model. Missing entries (nullopt, or past the end) and
  // the model input are calibrated; pooling always keeps its input's
  // parameters and a final softmax stays float, so their entries are unused.
  // REQUIRES: low <= 0 <= high.
  std::vector<std::optional<QuantRange>> op_output_ranges;
};

// Signal-to-quantization-noise ratio of one op's output over the calibration
// set: 10 log10(sum x^2 / sum (x - x_int8)^2), float vs int8 engine.
struct LayerError {
  std::string op;     // "ops[i] (kind)" of the float model
  double sqnr_db = 0;  // +inf when identical
};

// `calibration` holds raw feature rows (the model normalizes them). REQUIRES a
// float32 model. Throws Error(kInvalid) when the calibration width does not
// match the model input or there are no rows, Error(kUsage) for unsupported
// bit widths. (Named for the int8 default; options.activation_bits = 16 gives
// int16x8.)
DeployModel quantize_int8(const DeployModel& model, const Matrix& calibration, const PtqOptions& options);

// Per-op SQNR of `quantized` against `reference` (its float source) on `rows`.
std::vector<LayerError> layer_errors(const DeployModel& reference, const DeployModel& quantized, const Matrix& rows);

}  // namespace tinymlops

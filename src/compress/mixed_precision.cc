#include "tinymlops/compress/mixed_precision.h"

#include <algorithm>
#include <numeric>

#include "tinymlops/core/error.h"
#include "tinymlops/runtime/engine.h"

namespace tinymlops {

namespace {

// Mean squared difference between `model`'s outputs and `reference` on `rows`.
double output_error(const DeployModel& model, const Dataset& rows, const Matrix& reference) {
  const Matrix outputs = ReferenceEngine(model).predict(rows.features);
  return static_cast<double>((outputs - reference).squaredNorm()) / static_cast<double>(reference.size());
}

}  // namespace

DeployModel mixed_precision(const DeployModel& model, const Dataset& rows, int64_t budget_bytes,
                            const PtqOptions& options, std::vector<LayerPrecision>* choices) {
  if (budget_bytes <= 0) throw Error(ErrorKind::kUsage, "--budget", "must be a positive number of bytes");
  PtqOptions config = options;
  config.weight_bits = 8;
  config.op_weight_bits.assign(model.ops.size(), 8);
  DeployModel all8 = quantize_int8(model, rows.features, config);
  const Matrix reference = ReferenceEngine(model).predict(rows.features);
  const double base = output_error(all8, rows, reference);
  std::vector<size_t> candidates;
  for (size_t i = 0; i < model.ops.size(); ++i) {
    if (model.ops[i].kind == OpKind::kFullyConnected) candidates.push_back(i);
  }
  std::vector<double> sensitivity(model.ops.size(), 0.0);
  for (size_t i : candidates) {
    PtqOptions one = config;
    one.op_weight_bits[i] = 4;
    sensitivity[i] = output_error(quantize_int8(model, rows.features, one), rows, reference) - base;
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [&](size_t a, size_t b) { return sensitivity[a] < sensitivity[b]; });
  DeployModel chosen = std::move(all8);
  for (size_t i : candidates) {
    if (chosen.constant_bytes() <= budget_bytes) break;
    config.op_weight_bits[i] = 4;
    chosen = quantize_int8(model, rows.features, config);
  }
  if (chosen.constant_bytes() > budget_bytes) {
    throw Error(ErrorKind::kInvalid, "--budget",
                "cannot fit " + std::to_string(budget_bytes) + " bytes: the smallest mix (every dense layer int4) needs " +
                    std::to_string(chosen.constant_bytes()));
  }
  if (choices) {
    choices->clear();
    for (size_t i = 0; i < model.ops.size(); ++i) {
      if (model.ops[i].kind != OpKind::kFullyConnected) continue;
      choices->push_back({"ops[" + std::to_string(i) + "] (fully_connected)", sensitivity[i], config.op_weight_bits[i]});
    }
  }
  chosen.metadata.provenance["quantization"]["budget_bytes"] = budget_bytes;
  return chosen;
}

}  // namespace tinymlops

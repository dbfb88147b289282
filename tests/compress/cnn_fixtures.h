// A small random CNN (8x8x1 input: conv2d, depthwise_conv2d, max pool, dense,
// softmax) in each compressed-weight form, for the compression tests
// (compress/conv_weights_test.cc) and the on-device checks
// (deploy/conv_variants_test.cc).
#pragma once

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "runtime/model_fixtures.h"
#include "tinymlops/compress/ptq.h"
#include "tinymlops/compress/weight_only.h"
#include "tinymlops/runtime/lower.h"

namespace tinymlops::testing {

// conv2d 4x3x3x1 (36 weights), depthwise 3x3x8 (72), dense 72x10 (720).
inline constexpr const char* kCnnLayers =
    "conv2d:4:3x3:padding=same,relu,depthwise_conv2d:3x3:multiplier=2,relu,maxpool:2,flatten,dense:10,softmax";

// A smaller one whose float32 activations fit an ATmega328P's 2 KB of RAM
// (8x8x1 -> 6x6x2 -> 4x4x2 -> 2x2x2 -> 10).
inline constexpr const char* kSmallCnnLayers =
    "conv2d:2:3x3,relu,depthwise_conv2d:3x3,relu,maxpool:2,flatten,dense:10,softmax";

inline DeployModel float_cnn(uint64_t seed, const std::string& layers = kCnnLayers) {
  std::srand(static_cast<unsigned>(seed));  // random_model's Eigen::VectorXf::Random draws from std::rand
  Model model = random_model(Shape{{8, 8, 1}}, layers, seed);
  return lower_model(model);
}

// Applies `change` to every weight of every fully-connected and convolution op.
template <typename Change>
void change_weights(DeployModel& model, Change change) {
  for (const DeployOp& op : model.ops) {
    if (op.kind != OpKind::kFullyConnected && op.kind != OpKind::kConv2D && op.kind != OpKind::kDepthwiseConv2D) {
      continue;
    }
    DeployTensor& w = model.tensors[static_cast<size_t>(op.inputs[1])];
    std::vector<float> values = tensor_floats(w);
    for (float& v : values) v = change(v);
    w.data = bytes_of(values);
  }
}

// Clustered: weights in [-1, 1] snapped to multiples of 1/4 (9 distinct values).
inline void snap_weights(DeployModel& model) {
  change_weights(model, [](float v) { return std::round(v * 4) / 4; });
}

// Pruned: weights below `threshold` in magnitude set to zero.
inline void prune_weights(DeployModel& model, float threshold) {
  change_weights(model, [threshold](float v) { return std::abs(v) < threshold ? 0.0f : v; });
}

// The CNN compressed one way: "int8", "int4" (PTQ --bits 4), "codebook"
// (snapped weights, PTQ), "sparse" (70% pruned, PTQ), "fp16" or "dynamic"
// (weight-only). `calibration` holds raw rows of 64 values.
inline DeployModel compressed_cnn(const DeployModel& float_model, const std::string& variant,
                                  const Matrix& calibration) {
  DeployModel source = float_model;
  PtqOptions options;
  if (variant == "fp16") return compress_weights_only(source, DType::kFloat16);
  if (variant == "dynamic") return compress_weights_only(source, DType::kInt8);
  if (variant == "int4") options.weight_bits = 4;
  if (variant == "codebook") snap_weights(source);
  if (variant == "sparse") prune_weights(source, 0.7f);
  return quantize_int8(source, calibration, options);
}

}  // namespace tinymlops::testing

// Lowering: a trained Model becomes a float32 DeployModel.
//
// BatchNorm right after Dense/Conv/DepthwiseConv is folded into that op's
// weights and bias; ReLU/ReLU6 right after such an op is fused into its clamp;
// Flatten and Dropout disappear (they do not change the values' layout); pooling
// over sequences {L, C} becomes pooling over images {1, L, C}. The result holds
// the model's metadata and computes the same function up to float rounding.
#pragma once

#include "tinymlops/nn/model.h"
#include "tinymlops/runtime/deploy_model.h"

namespace tinymlops {

// Throws Error(kInvalid) naming "layers[i] (kind)" for a layer that cannot be
// lowered (a BatchNorm that does not follow a Dense or convolution).
// `op_layers`, when given, receives one entry per op of the result: the index
// of the last layer folded or fused into it, whose output the op computes
// (Dense + BatchNorm + ReLU -> the ReLU's index; a dropped Flatten or Dropout
// is never named).
DeployModel lower_model(Model& model, std::vector<size_t>* op_layers = nullptr);

}  // namespace tinymlops

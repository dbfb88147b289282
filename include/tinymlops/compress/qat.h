// Quantization-aware training: fine-tuning a float model while its forward pass
// sees quantized weights and activations, so it learns to tolerate them.
//
// Weights: before each batch the float ("master") weights of every Dense and
// convolution are replaced by their fake-quantized values (symmetric, one scale
// per output channel, 2^(bits-1) - 1 levels each side); the gradient computed
// with them is applied to the masters (straight-through estimator). Activations:
// the output of each layer that becomes an int8 tensor when deployed is
// fake-quantized to 8 bits over a moving-average min/max range (momentum 0.99),
// with identity gradients. At the end the weights are left fake-quantized, so
// deploying them at `weight_bits` loses nothing more.
#pragma once

#include "tinymlops/nn/model.h"
#include "tinymlops/nn/trainer.h"

namespace tinymlops {

struct QatOptions {
  int weight_bits = 8;   // 4 or 8
  TrainOptions fine_tune;
};

// Fake-quantizes `weights` of a layer with training layout whose output channel
// is the fastest-moving index modulo `channels`: per channel, w -> s * round(w / s)
// with s = max|w| / (2^(bits-1) - 1).
void fake_quantize_weights(Eigen::VectorXf& weights, int channels, int bits);

// Fine-tunes `model` in place. Throws Error(kUsage) for bits other than 4 or 8.
TrainHistory quantization_aware_training(Model& model, const QatOptions& options, const Dataset& train,
                                         Progress* progress);

}  // namespace tinymlops

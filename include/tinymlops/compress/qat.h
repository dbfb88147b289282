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
//
// Deployment keeps the activation ranges QAT trained with:
//
//   LayerRanges ranges;
//   quantization_aware_training(model, options, train, nullptr, &ranges);
//   std::vector<size_t> op_layers;
//   DeployModel source = lower_model(model, &op_layers);
//   PtqOptions ptq;
//   ptq.op_output_ranges = op_ranges(op_layers, ranges);
//   DeployModel deployed = quantize_int8(source, calibration_rows, ptq);
//
// The input is not fake-quantized during training, so its range is calibrated.
#pragma once

#include <optional>
#include <vector>

#include "tinymlops/compress/calibration.h"
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

// Per layer of a model: the range its output was fake-quantized over at the end
// of QAT (the moving average after the last batch); nullopt for layers whose
// output is not an int8 tensor when deployed: a layer folded or fused into the
// next (Dense before BatchNorm, BatchNorm before ReLU), one that passes its
// input on unchanged at inference (Flatten, Dropout, linear activation: the
// layer before it holds the range), and the last layer.
using LayerRanges = std::vector<std::optional<QuantRange>>;

// Fine-tunes `model` in place; `ranges` (if given) receives one entry per layer.
// Throws Error(kUsage) for bits other than 4 or 8.
TrainHistory quantization_aware_training(Model& model, const QatOptions& options, const Dataset& train,
                                         Progress* progress, LayerRanges* ranges = nullptr);

// Maps layer ranges to the ops of the lowered model (PtqOptions::op_output_ranges):
// ops[k] takes the range of layer op_layers[k], the last layer lowered into it
// (lower_model). Ops whose layer has none (softmax, a final regression output)
// get nullopt, which quantize_int8 calibrates.
std::vector<std::optional<QuantRange>> op_ranges(const std::vector<size_t>& op_layers, const LayerRanges& ranges);

}  // namespace tinymlops

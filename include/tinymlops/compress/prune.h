// Pruning: zeroing (unstructured) or removing (structured) the weights that
// matter least, with fine-tuning so the rest can compensate.
//
// Prunable tensors are the weights of Dense, Conv1D/2D and DepthwiseConv2D
// layers, the output layer's included; biases and batch norm are never pruned
// on their own. Unstructured pruning keeps the model's shape
// and zeroes the smallest |w|: `global` ranks all prunable weights together,
// otherwise each tensor reaches the target on its own. Ties are broken by tensor
// then position, so masks are deterministic. Structured pruning (prune_units)
// removes whole Dense units and convolution filters instead.
//
// Example: remove half the filters of a small CNN, then fine-tune.
//   Model cnn = ...;  // conv2d:8:3x3,batchnorm,relu,flatten,dense:10,softmax
//   Model smaller = prune_units(cnn, 0.5, UnitNorm::kL1);  // 8 -> 4 filters
//   train_model(smaller, train, nullptr, TrainOptions{}, nullptr);
#pragma once

#include <string>
#include <vector>

#include "tinymlops/nn/model.h"
#include "tinymlops/nn/trainer.h"

namespace tinymlops {

// One 0/1 mask per prunable tensor, in model order.
struct PruneMasks {
  std::vector<Param*> tensors;
  std::vector<std::vector<uint8_t>> keep;  // 1 = kept
};

// Masks that zero `sparsity` (0 <= s < 1) of the prunable weights by magnitude.
PruneMasks magnitude_masks(Model& model, double sparsity, bool global);

// Zeroes the masked weights.
void apply_masks(const PruneMasks& masks);

// Polynomial (cubic) sparsity schedule of gradual pruning (Zhu & Gupta 2017):
// s(t) = final * (1 - (1 - t / end)^3) for t < end, final afterwards.
double gradual_sparsity(double final_sparsity, long step, long end_step);

// The schedule names of the CLI and recipes: false for "one_shot", true for
// "gradual"; anything else is Error(kUsage) at `where`.
bool parse_gradual_schedule(const std::string& name, const std::string& where);

struct PruneOptions {
  double sparsity = 0.5;
  bool global = true;
  bool gradual = false;  // ramp the sparsity over the first 70% of fine-tuning
  TrainOptions fine_tune;  // epochs = 0: prune without fine-tuning
};

// Prunes `model` in place and fine-tunes it on `train` (masks re-applied after
// every step). Returns the fine-tuning history. Throws Error(kUsage) for a
// sparsity outside [0, 1).
TrainHistory prune_model(Model& model, const PruneOptions& options, const Dataset& train,
                         const Dataset* validation, Progress* progress);

// How structured pruning ranks the units of a Dense layer and the filters of a
// convolution: by the L1 or L2 norm of the unit's incoming weights (a column of
// a Dense layer's weights, a filter's KH x KW x C weights). Names "l1", "l2".
enum class UnitNorm { kL1, kL2, kCount };
const char* unit_norm_name(UnitNorm norm);
// Throws Error(kUsage) at `where` for a name other than "l1" or "l2".
UnitNorm parse_unit_norm(const std::string& name, const std::string& where);

// Structured pruning: removes whole units of Dense layers and whole output
// filters of Conv1D/Conv2D layers, so the model really shrinks. Every such layer
// whose outputs reach another Dense, Conv1D or Conv2D layer (possibly through a
// DepthwiseConv2D) loses `fraction` of its units/filters (floor, never below 1),
// those of smallest `norm`, ranked per layer; ties keep the earlier unit. The
// layer that produces the model's output keeps all of its units.
// What follows a removed channel shrinks with it: BatchNorm parameters and
// running statistics; the channels of activations, dropout and pooling; a
// DepthwiseConv2D's channels (with multiplier M, the M outputs of channel c go
// with it, and shrink whatever follows in turn); and the next Dense or
// convolution layer's inputs, also through Flatten or GlobalAvgPool (channels
// last: flat feature position * C + c).
// Returns the smaller model, built and with the same metadata; `model` is left
// unchanged. Throws Error(kUsage) for a fraction outside [0, 1), and
// Error(kInvalid) naming the layer when a softmax sits between a pruned layer
// and the layer that reads it (softmax mixes channels).
Model prune_units(Model& model, double fraction, UnitNorm norm = UnitNorm::kL2);

struct LayerSparsity {
  std::string layer;  // "layers[i] (kind)"
  int64_t weights = 0, zeros = 0;
};
std::vector<LayerSparsity> sparsity_report(Model& model);

}  // namespace tinymlops

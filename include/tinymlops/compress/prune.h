// Pruning: zeroing (unstructured) or removing (structured) the weights that
// matter least, with fine-tuning so the rest can compensate.
//
// Prunable tensors are the weights of Dense, Conv1D/2D and DepthwiseConv2D
// layers, the output layer's included; biases and batch norm are never pruned.
// Unstructured pruning keeps the model's shape
// and zeroes the smallest |w|: `global` ranks all prunable weights together,
// otherwise each tensor reaches the target on its own. Ties are broken by tensor
// then position, so masks are deterministic.
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

// Structured pruning of Dense layers: removes `fraction` of the units of every
// hidden Dense layer (all but the last weighted layer), those with the smallest
// L2 norm of incoming weights, and the matching inputs of the next layer, so
// the model really shrinks. Returns the smaller model (same metadata). Throws
// Error(kInvalid) naming a layer it cannot shrink (convolutions, for now).
Model prune_units(Model& model, double fraction);

struct LayerSparsity {
  std::string layer;  // "layers[i] (kind)"
  int64_t weights = 0, zeros = 0;
};
std::vector<LayerSparsity> sparsity_report(Model& model);

}  // namespace tinymlops

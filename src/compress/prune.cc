#include "tinymlops/compress/prune.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "tinymlops/core/error.h"
#include "tinymlops/nn/layers.h"

namespace tinymlops {

namespace {

std::string layer_name(Model& model, size_t i) {
  return "layers[" + std::to_string(i) + "] (" + layer_kind_name(model.layer(i).kind()) + ")";
}

// Keeps the `keep` entries of `values` with the largest magnitude; ties go to the
// earlier index. Returns a 0/1 mask.
std::vector<uint8_t> keep_largest(const std::vector<float>& magnitudes, size_t keep) {
  std::vector<size_t> order(magnitudes.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return magnitudes[a] > magnitudes[b]; });
  std::vector<uint8_t> mask(magnitudes.size(), 0);
  for (size_t i = 0; i < keep && i < order.size(); ++i) mask[order[i]] = 1;
  return mask;
}

void check_sparsity(double sparsity) {
  if (!(sparsity >= 0 && sparsity < 1)) {
    throw Error(ErrorKind::kUsage, "--sparsity", "must be in [0, 1), got " + std::to_string(sparsity));
  }
}

}  // namespace

PruneMasks magnitude_masks(Model& model, double sparsity, bool global) {
  check_sparsity(sparsity);
  PruneMasks masks;
  for (size_t i = 0; i < model.num_layers(); ++i) {
    if (Param* w = weights_param(model.layer(i))) masks.tensors.push_back(w);
  }
  auto kept = [&](size_t count) { return count - static_cast<size_t>(std::floor(sparsity * static_cast<double>(count))); };
  if (global) {
    std::vector<float> all;
    for (Param* p : masks.tensors) all.insert(all.end(), p->value.begin(), p->value.end());
    for (float& v : all) v = std::abs(v);
    const std::vector<uint8_t> mask = keep_largest(all, kept(all.size()));
    size_t offset = 0;
    for (Param* p : masks.tensors) {
      const size_t n = static_cast<size_t>(p->value.size());
      masks.keep.emplace_back(mask.begin() + static_cast<std::ptrdiff_t>(offset),
                              mask.begin() + static_cast<std::ptrdiff_t>(offset + n));
      offset += n;
    }
  } else {
    for (Param* p : masks.tensors) {
      std::vector<float> magnitudes(p->value.begin(), p->value.end());
      for (float& v : magnitudes) v = std::abs(v);
      masks.keep.push_back(keep_largest(magnitudes, kept(magnitudes.size())));
    }
  }
  return masks;
}

void apply_masks(const PruneMasks& masks) {
  for (size_t t = 0; t < masks.tensors.size(); ++t) {
    Eigen::VectorXf& values = masks.tensors[t]->value;
    for (Eigen::Index i = 0; i < values.size(); ++i) {
      if (!masks.keep[t][static_cast<size_t>(i)]) values[i] = 0.0f;
    }
  }
}

double gradual_sparsity(double final_sparsity, long step, long end_step) {
  if (end_step <= 0 || step >= end_step) return final_sparsity;
  const double remaining = 1.0 - static_cast<double>(step) / static_cast<double>(end_step);
  return final_sparsity * (1.0 - remaining * remaining * remaining);
}

bool parse_gradual_schedule(const std::string& name, const std::string& where) {
  if (name != "one_shot" && name != "gradual") {
    throw Error(ErrorKind::kUsage, where, "unknown schedule '" + name + "' (one_shot, gradual)");
  }
  return name == "gradual";
}

TrainHistory prune_model(Model& model, const PruneOptions& options, const Dataset& train,
                         const Dataset* validation, Progress* progress) {
  check_sparsity(options.sparsity);
  PruneMasks masks = magnitude_masks(model, options.gradual ? 0.0 : options.sparsity, options.global);
  apply_masks(masks);
  TrainHistory history;
  if (options.fine_tune.epochs > 0) {
    TrainOptions fine_tune = options.fine_tune;
    fine_tune.early_stopping.patience = 0;  // the masks of an earlier epoch may be less sparse
    fine_tune.after_step = [&](long step, long total) {
      if (options.gradual) {
        // Ramp over the first 70% of the steps, updating the masks every step.
        const long end = std::max(1L, total * 7 / 10);
        if (step <= end) masks = magnitude_masks(model, gradual_sparsity(options.sparsity, step + 1, end), options.global);
      }
      apply_masks(masks);
    };
    history = train_model(model, train, validation, fine_tune, progress);
  }
  masks = magnitude_masks(model, options.sparsity, options.global);
  apply_masks(masks);
  return history;
}

std::vector<LayerSparsity> sparsity_report(Model& model) {
  std::vector<LayerSparsity> report;
  for (size_t i = 0; i < model.num_layers(); ++i) {
    if (!weights_param(model.layer(i))) continue;
    const Param& w = *weights_param(model.layer(i));
    LayerSparsity entry{layer_name(model, i), w.value.size(), 0};
    for (float v : w.value) entry.zeros += v == 0.0f;
    report.push_back(entry);
  }
  return report;
}

}  // namespace tinymlops

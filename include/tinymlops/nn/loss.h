// Loss functions with their gradients.
//
// Each loss is a weighted mean over the batch: L = sum_i w_i * l_i / n, with
// w_i = 1 unless sample weights (class weights) are given. Cross-entropy kinds
// take LOGITS, not probabilities: the model's final softmax (or sigmoid) is fused
// into the loss for a stable, exact gradient p - y.
#pragma once

#include <string>
#include <vector>

#include "tinymlops/data/dataset.h"

namespace tinymlops {

enum class LossKind {
  kMse,                // mean over outputs of (y - t)^2
  kMae,                // mean over outputs of |y - t|
  kHuber,              // delta = 1: 0.5 d^2 if |d| <= 1 else |d| - 0.5
  kCrossEntropy,       // softmax over the logits, then -log p[class]
  kBinaryCrossEntropy, // one logit z per sample: -(t log s(z) + (1 - t) log(1 - s(z))), t in {0, 1}
  kCount,
};
const char* loss_name(LossKind kind);   // "mse", "mae", "huber", "cross_entropy", "bce"
LossKind parse_loss(const std::string& name);  // throws Error(kUsage)
bool loss_is_classification(LossKind kind);

// Targets of one batch: class ids (classification) or values (regression, one
// row per sample, one column per output).
struct BatchTargets {
  std::vector<int> classes;
  Matrix values;
  Eigen::VectorXf weights;  // per sample; empty means all 1
  // Knowledge distillation (Hinton et al. 2015), when non-empty: a teacher's
  // logits (cross_entropy) or outputs (mse/mae/huber), one row per sample. The
  // loss becomes alpha * hard + (1 - alpha) * soft, where soft is
  // T^2 * KL(softmax(teacher / T) || softmax(prediction / T)) for cross-entropy
  // and the same regression loss against the teacher's outputs otherwise.
  Matrix teacher;
  float temperature = 1;
  float alpha = 1;
};

// Returns the batch loss; when `grad` is non-null writes dL/d(prediction) into it.
// REQUIRES: prediction has one row per target and the width the loss expects.
double compute_loss(LossKind kind, const Matrix& prediction, const BatchTargets& targets, Matrix* grad);

}  // namespace tinymlops

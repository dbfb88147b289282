// Mini-batch training of a Model on a Dataset.
//
// Determinism: the same model (built with the same seed), data, options and seed
// give bit-identical weights. Every random draw (shuffling, dropout) comes from
// Rng streams derived from TrainOptions::seed; nothing depends on time or threads.
#pragma once

#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "tinymlops/core/progress.h"
#include "tinymlops/nn/loss.h"
#include "tinymlops/nn/model.h"
#include "tinymlops/nn/optimizer.h"
#include "tinymlops/nn/schedule.h"

namespace tinymlops {

enum class Monitor { kValidationLoss, kValidationMetric };

struct EarlyStopping {
  int patience = 0;           // epochs without improvement before stopping; 0 = off
  Monitor monitor = Monitor::kValidationLoss;
  double min_delta = 0;       // smaller improvements do not count
  bool restore_best = true;   // end with the weights of the best epoch
};

// Knowledge distillation from a trained teacher (see BatchTargets in loss.h).
struct DistillOptions {
  Model* teacher = nullptr;  // null: no distillation; must outlive training
  float temperature = 4;
  float alpha = 0.1f;        // weight of the hard (label) loss; 1 - alpha on the teacher
};

struct TrainOptions {
  int epochs = 50;
  int batch_size = 32;
  float learning_rate = 1e-3f;
  LossKind loss = LossKind::kCrossEntropy;
  OptimizerConfig optimizer;
  ScheduleConfig schedule;
  uint64_t seed = 0;
  float clip_norm = 0;               // > 0: rescale the gradient to this global L2 norm at most
  std::vector<float> class_weights;  // per class id; empty = all 1
  EarlyStopping early_stopping;
  DistillOptions distill;
  // Hooks, each may be empty. after_step: after every optimizer step, with the
  // 0-based step and the steps planned (pruning re-applies its masks here).
  // before_forward / before_update: around each batch's forward+backward and
  // before the optimizer step (QAT swaps fake-quantized weights in and the float
  // weights back). after_layer: see ForwardContext (training passes only).
  std::function<void(long step, long total_steps)> after_step;
  std::function<void()> before_forward;
  std::function<void()> before_update;
  std::function<void(size_t layer, Matrix& output)> after_layer;
};

struct EpochRecord {
  int epoch = 0;  // 1-based
  float learning_rate = 0;  // at the epoch's last step
  double train_loss = 0;    // mean of the batch losses
  double validation_loss = std::numeric_limits<double>::quiet_NaN();
  double validation_metric = std::numeric_limits<double>::quiet_NaN();
};

struct TrainHistory {
  std::vector<EpochRecord> epochs;
  std::string metric_name;  // "accuracy" (classification) or "rmse" (regression)
  int best_epoch = 0;       // 1-based epoch whose weights the model ends with
  bool stopped_early = false;
};

// Trains `model` (already built) on `train`. Features are raw: the model's
// metadata.normalization is applied here, as predict() does. `validation` may be
// null (then early stopping is off and the last epoch's weights are kept).
// Loss/head contract, checked up front (Error(kUsage) otherwise):
//   cross_entropy: classification; last layer a softmax Activation with one unit per class
//   bce:           two classes; last layer a sigmoid Activation with one unit
//   mse/mae/huber: regression; one output unit
// `progress` may be null.
TrainHistory train_model(Model& model, const Dataset& train, const Dataset* validation,
                         const TrainOptions& options, Progress* progress);

// Mean loss and the task metric of `model` on `data` (raw features).
struct Evaluation {
  double loss = 0;
  double metric = 0;  // accuracy or rmse
};
Evaluation evaluate_loss(Model& model, const Dataset& data, LossKind loss);

}  // namespace tinymlops

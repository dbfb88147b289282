// Optimizers: update trainable parameters from their gradients.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tinymlops/nn/layer.h"

namespace tinymlops {

enum class OptimizerKind { kSgd, kAdam, kAdamW, kAdamax, kRmsprop, kCount };
const char* optimizer_name(OptimizerKind kind);  // "sgd", "adam", "adamw", "adamax", "rmsprop"
OptimizerKind parse_optimizer(const std::string& name);  // throws Error(kUsage)

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::kAdam;
  float momentum = 0.0f;      // sgd: heavy-ball momentum; rmsprop: momentum on the step
  bool nesterov = false;      // sgd: Nesterov momentum (REQUIRES momentum > 0)
  float beta1 = 0.9f;         // adam family
  float beta2 = 0.999f;       // adam family
  float rho = 0.9f;           // rmsprop: decay of the squared-gradient average
  float epsilon = 1e-7f;
  // L2 penalty added to the gradient (sgd, adam, adamax, rmsprop) or decoupled
  // decay (adamw: w -= lr * weight_decay * w). Applies to Params with decays = true.
  // Negative means the kind's default: 0.01 for adamw, 0 otherwise.
  float weight_decay = -1.0f;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // Updates every trainable Param in `params` from its grad, at learning rate `lr`.
  // REQUIRES: the same params, in the same order, on every call.
  virtual void step(const std::vector<Param*>& params, float lr) = 0;

  static std::unique_ptr<Optimizer> create(const OptimizerConfig& config);
};

}  // namespace tinymlops

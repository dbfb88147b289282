#include "tinymlops/nn/optimizer.h"

#include <cmath>

#include "tinymlops/core/error.h"

namespace tinymlops {

namespace {

constexpr const char* kOptimizerNames[] = {"sgd", "adam", "adamw", "adamax", "rmsprop"};
static_assert(std::size(kOptimizerNames) == static_cast<size_t>(OptimizerKind::kCount));

// One optimizer for all kinds: each keeps up to two state vectors per parameter
// (first and second moments, or velocity), created on the first step.
class StatefulOptimizer : public Optimizer {
 public:
  explicit StatefulOptimizer(const OptimizerConfig& config) : config_(config) {
    if (config_.weight_decay < 0) {
      config_.weight_decay = config_.kind == OptimizerKind::kAdamW ? 0.01f : 0.0f;
    }
    if (config_.nesterov && config_.momentum <= 0) {
      throw Error(ErrorKind::kUsage, "", "nesterov needs momentum > 0");
    }
  }

  void step(const std::vector<Param*>& params, float lr) override {
    if (first_.empty()) {
      for (Param* p : params) {
        first_.push_back(Eigen::ArrayXf::Zero(p->value.size()));
        second_.push_back(Eigen::ArrayXf::Zero(p->value.size()));
      }
    }
    ++steps_;
    for (size_t i = 0; i < params.size(); ++i) {
      Param& p = *params[i];
      if (!p.trainable) continue;
      update(p, first_[i], second_[i], lr);
    }
  }

 private:
  void update(Param& p, Eigen::ArrayXf& m, Eigen::ArrayXf& v, float lr) {
    auto w = p.value.array();
    const bool decays = p.decays && config_.weight_decay > 0;
    const bool coupled_decay = decays && config_.kind != OptimizerKind::kAdamW;
    Eigen::ArrayXf g = p.grad.array();
    if (coupled_decay) g += config_.weight_decay * w;
    const float b1 = config_.beta1, b2 = config_.beta2, eps = config_.epsilon;
    const float t = static_cast<float>(steps_);
    switch (config_.kind) {
      case OptimizerKind::kSgd:
        if (config_.momentum > 0) {
          m = config_.momentum * m + g;
          w -= lr * (config_.nesterov ? (g + config_.momentum * m).eval() : m);
        } else {
          w -= lr * g;
        }
        break;
      case OptimizerKind::kAdam:
      case OptimizerKind::kAdamW: {
        if (decays && config_.kind == OptimizerKind::kAdamW) w -= lr * config_.weight_decay * w;
        m = b1 * m + (1 - b1) * g;
        v = b2 * v + (1 - b2) * g.square();
        const float step = lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t));
        w -= step * m / (v.sqrt() + eps);
        break;
      }
      case OptimizerKind::kAdamax: {
        m = b1 * m + (1 - b1) * g;
        v = (b2 * v).max(g.abs());
        w -= (lr / (1 - std::pow(b1, t))) * m / (v + eps);
        break;
      }
      case OptimizerKind::kRmsprop: {
        v = config_.rho * v + (1 - config_.rho) * g.square();
        if (config_.momentum > 0) {
          m = config_.momentum * m + lr * g / (v.sqrt() + eps);
          w -= m;
        } else {
          w -= lr * g / (v.sqrt() + eps);
        }
        break;
      }
      case OptimizerKind::kCount:
        break;
    }
  }

  OptimizerConfig config_;
  long steps_ = 0;
  std::vector<Eigen::ArrayXf> first_, second_;
};

}  // namespace

const char* optimizer_name(OptimizerKind kind) { return kOptimizerNames[static_cast<int>(kind)]; }

OptimizerKind parse_optimizer(const std::string& name) {
  for (size_t i = 0; i < std::size(kOptimizerNames); ++i) {
    if (name == kOptimizerNames[i]) return static_cast<OptimizerKind>(i);
  }
  throw Error(ErrorKind::kUsage, "",
              "unknown optimizer '" + name + "' (known: sgd, adam, adamw, adamax, rmsprop)");
}

std::unique_ptr<Optimizer> Optimizer::create(const OptimizerConfig& config) {
  return std::make_unique<StatefulOptimizer>(config);
}

}  // namespace tinymlops

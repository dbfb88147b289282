// Server-side aggregation strategies: how one round's client updates move the
// global weights (docs/federated-algorithms.md).
//
//   StrategyConfig config;
//   config.kind = parse_strategy("trimmed_mean");
//   std::unique_ptr<Strategy> strategy = make_strategy(config);
//   strategy->aggregate(updates, global);   // global += robust mean of the deltas
//
// Every strategy first bounds each delta's L2 norm (StrategyConfig::max_update_norm,
// when > 0), then combines the bounded deltas:
//   fedavg, fedprox  global += sum(samples_i * delta_i) / sum(samples_i)
//                    (FedProx differs on the client only: LocalTrainConfig::proximal_mu)
//   fedadam, fedyogi the FedAvg mean is a pseudo-gradient d for a server optimizer
//                    (Reddi et al. 2021, Algorithm 2, no bias correction, v starts at tau^2):
//                      m = beta1 m + (1 - beta1) d
//                      adam: v = beta2 v + (1 - beta2) d^2
//                      yogi: v = v - (1 - beta2) d^2 sign(v - d^2)
//                      global += server_learning_rate * m / (sqrt(v) + tau)
//   median           global += per-coordinate median of the deltas (unweighted)
//   trimmed_mean     global += per-coordinate mean after dropping the
//                    floor(trim_fraction * n) smallest and largest values (unweighted)
//   krum             global += the delta whose summed squared distance to its
//                    n - f - 2 nearest other deltas is smallest (Blanchard et al. 2017)
// The robust kinds (median, trimmed_mean, krum) bound the influence of a few
// malicious clients; FedAvg does not.
//
// Determinism: the updates are put in client-id order before any floating-point
// sum, so the result does not depend on the order they arrived in; sums are
// accumulated in double.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tinymlops/fl/update.h"

namespace tinymlops::fl {

enum class StrategyKind { kFedAvg, kFedProx, kFedAdam, kFedYogi, kMedian, kTrimmedMean, kKrum, kCount };

// "fedavg" "fedprox" "fedadam" "fedyogi" "median" "trimmed_mean" "krum".
const char* strategy_name(StrategyKind kind);
// The inverse; throws Error(kUsage) listing the names for anything else.
StrategyKind parse_strategy(const std::string& name);

struct StrategyConfig {
  StrategyKind kind = StrategyKind::kFedAvg;
  double proximal_mu = 0.01;  // FedProx: weight of the client's proximal term (server side = FedAvg)
  // FedAdam/FedYogi (Reddi et al. 2021, "Adaptive Federated Optimization").
  double server_learning_rate = 0.01, beta1 = 0.9, beta2 = 0.99, tau = 1e-3;
  double trim_fraction = 0.1;  // trimmed mean: fraction dropped at each end of every coordinate, in [0, 0.5)
  int krum_byzantine = 1;      // Krum: f tolerated; needs n >= 2f + 3 updates, else Error(kInvalid)
  double max_update_norm = 0;  // > 0: deltas longer than this are scaled down to it first
};

class Strategy {
 public:
  virtual ~Strategy() = default;

  // Applies one round's updates to `global` in place. REQUIRES: updates
  // non-empty, each delta global.size() long and finite, samples > 0 (the
  // server validates before calling). Throws Error(kInvalid), leaving `global`
  // and the strategy's state unchanged, when the round cannot be aggregated
  // (Krum with too few updates; optimizer state of another size).
  virtual void aggregate(const std::vector<ClientUpdate>& updates, Weights& global) = 0;

  // Server-optimizer state (FedAdam/FedYogi moments and step count) for
  // checkpoints, as bytes (docs/federated-algorithms.md); "" when stateless.
  // load_state throws Error(kFormat) naming `source` on bytes save_state of this
  // kind did not write (wrong strategy, truncated, corrupted); the state is then
  // unchanged.
  virtual std::string save_state() const;
  virtual void load_state(std::string_view bytes, const std::string& source);
};

// Throws Error(kUsage) for out-of-range settings (negative mu or norm bound,
// learning rate or tau <= 0, betas outside [0, 1), trim fraction outside
// [0, 0.5), negative f).
std::unique_ptr<Strategy> make_strategy(const StrategyConfig& config);

// Norm bounding: scales `delta` down to `max_norm` when longer; returns the
// norm before. max_norm <= 0: no-op (still returns the norm).
double bound_norm(Weights& delta, double max_norm);

}  // namespace tinymlops::fl

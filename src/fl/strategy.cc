// Strategy names, settings checks, norm bounding and FedAvg/FedProx.
#include "tinymlops/fl/strategy.h"

#include <algorithm>
#include <cmath>

#include "fl/strategy_internal.h"
#include "tinymlops/core/error.h"

namespace tinymlops::fl {
namespace {

constexpr const char* kStrategyNames[] = {"fedavg", "fedprox", "fedadam", "fedyogi",
                                          "median", "trimmed_mean", "krum"};
static_assert(std::size(kStrategyNames) == static_cast<size_t>(StrategyKind::kCount));

// FedAvg; FedProx shares it (its proximal term lives on the client).
class FedAvg final : public Strategy {
 public:
  explicit FedAvg(double max_norm) : max_norm_(max_norm) {}

  void aggregate(const std::vector<ClientUpdate>& updates, Weights& global) override {
    std::vector<double> mean = weighted_mean_delta(updates, global.size(), max_norm_);
    for (size_t j = 0; j < global.size(); ++j) global[j] = static_cast<float>(global[j] + mean[j]);
  }

 private:
  double max_norm_;
};

void check_config(const StrategyConfig& c) {
  auto fail = [](const std::string& what) { throw Error(ErrorKind::kUsage, "", "strategy: " + what); };
  if (!(c.max_update_norm >= 0) || !std::isfinite(c.max_update_norm)) fail("the update norm bound must be >= 0");
  if (!(c.proximal_mu >= 0) || !std::isfinite(c.proximal_mu)) fail("the proximal mu must be >= 0");
  if (c.kind == StrategyKind::kFedAdam || c.kind == StrategyKind::kFedYogi) {
    if (!(c.server_learning_rate > 0) || !std::isfinite(c.server_learning_rate)) {
      fail("the server learning rate must be > 0");
    }
    if (!(c.beta1 >= 0 && c.beta1 < 1) || !(c.beta2 >= 0 && c.beta2 < 1)) fail("beta1 and beta2 must be in [0, 1)");
    if (!(c.tau > 0) || !std::isfinite(c.tau)) fail("tau must be > 0");
  }
  if (c.kind == StrategyKind::kTrimmedMean && !(c.trim_fraction >= 0 && c.trim_fraction < 0.5)) {
    fail("the trim fraction must be in [0, 0.5)");
  }
  if (c.kind == StrategyKind::kKrum && c.krum_byzantine < 0) fail("the Krum f must be >= 0");
}

}  // namespace

const char* strategy_name(StrategyKind kind) {
  const auto index = static_cast<size_t>(kind);
  return index < std::size(kStrategyNames) ? kStrategyNames[index] : "?";
}

StrategyKind parse_strategy(const std::string& name) {
  std::string names;
  for (size_t i = 0; i < std::size(kStrategyNames); ++i) {
    if (name == kStrategyNames[i]) return static_cast<StrategyKind>(i);
    names += (i ? ", " : "") + std::string(kStrategyNames[i]);
  }
  throw Error(ErrorKind::kUsage, "", "unknown strategy '" + name + "' (known: " + names + ")");
}

std::string Strategy::save_state() const { return ""; }

void Strategy::load_state(std::string_view bytes, const std::string& source) {
  if (!bytes.empty()) {
    throw Error(ErrorKind::kFormat, source, "this strategy keeps no state, but the checkpoint holds " +
                                                std::to_string(bytes.size()) + " bytes of it");
  }
}

double bound_norm(Weights& delta, double max_norm) {
  const double norm = l2_norm(delta);
  if (max_norm > 0 && norm > max_norm) {
    const double scale = max_norm / norm;
    for (float& v : delta) v = static_cast<float>(v * scale);
  }
  return norm;
}

std::vector<const ClientUpdate*> in_client_order(const std::vector<ClientUpdate>& updates, size_t size) {
  if (updates.empty()) throw Error(ErrorKind::kInvalid, "", "no updates to aggregate");
  std::vector<const ClientUpdate*> order;
  for (const ClientUpdate& u : updates) {
    if (u.delta.size() != size) {
      throw Error(ErrorKind::kInvalid, u.client, "update has " + std::to_string(u.delta.size()) +
                                                     " values; the model has " + std::to_string(size));
    }
    if (u.samples <= 0) throw Error(ErrorKind::kInvalid, u.client, "update has no samples");
    order.push_back(&u);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const ClientUpdate* a, const ClientUpdate* b) { return a->client < b->client; });
  return order;
}

std::vector<Weights> ordered_bounded_deltas(const std::vector<ClientUpdate>& updates, size_t size,
                                            double max_norm) {
  std::vector<Weights> deltas;
  for (const ClientUpdate* u : in_client_order(updates, size)) {
    deltas.push_back(u->delta);
    bound_norm(deltas.back(), max_norm);
  }
  return deltas;
}

std::vector<double> weighted_mean_delta(const std::vector<ClientUpdate>& updates, size_t size,
                                        double max_norm) {
  const std::vector<const ClientUpdate*> order = in_client_order(updates, size);
  double total = 0;
  for (const ClientUpdate* u : order) total += static_cast<double>(u->samples);
  std::vector<double> sum(size, 0.0);
  Weights delta;
  for (const ClientUpdate* u : order) {
    delta = u->delta;
    bound_norm(delta, max_norm);
    const auto samples = static_cast<double>(u->samples);
    for (size_t j = 0; j < size; ++j) sum[j] += samples * delta[j];
  }
  for (double& v : sum) v /= total;
  return sum;
}

std::unique_ptr<Strategy> make_strategy(const StrategyConfig& config) {
  check_config(config);
  switch (config.kind) {
    case StrategyKind::kFedAvg:
    case StrategyKind::kFedProx:
      return std::make_unique<FedAvg>(config.max_update_norm);
    case StrategyKind::kFedAdam:
    case StrategyKind::kFedYogi:
      return make_adaptive_strategy(config);
    case StrategyKind::kMedian:
    case StrategyKind::kTrimmedMean:
    case StrategyKind::kKrum:
      return make_robust_strategy(config);
    case StrategyKind::kCount:
      break;
  }
  throw Error(ErrorKind::kUsage, "", "unknown strategy kind");
}

}  // namespace tinymlops::fl

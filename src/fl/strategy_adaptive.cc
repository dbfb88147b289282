// FedAdam and FedYogi: a server optimizer over the FedAvg pseudo-gradient
// (Reddi et al. 2021, "Adaptive Federated Optimization", Algorithm 2).
#include <bit>
#include <cmath>
#include <nlohmann/json.hpp>

#include "fl/strategy_internal.h"
#include "tinymlops/core/container.h"
#include "tinymlops/core/error.h"

namespace tinymlops::fl {
namespace {

// The state bytes (docs/federated-algorithms.md): a core container whose
// metadata is {"format": "tinymlops-fl-strategy-state", "strategy", "values" N,
// "steps"} and whose data is m then v, N float64 little-endian each.
constexpr ContainerKind kStateContainer{"TMLFLOPT", "strategy state", 1};

void put_doubles(std::string& out, const std::vector<double>& values) {
  for (double v : values) put_le<uint64_t>(out, std::bit_cast<uint64_t>(v));
}

std::vector<double> get_doubles(std::string_view bytes, size_t offset, size_t count) {
  std::vector<double> values(count);
  for (size_t i = 0; i < count; ++i) values[i] = std::bit_cast<double>(get_le<uint64_t>(bytes, offset + 8 * i));
  return values;
}

class AdaptiveStrategy final : public Strategy {
 public:
  explicit AdaptiveStrategy(const StrategyConfig& config) : config_(config) {}

  void aggregate(const std::vector<ClientUpdate>& updates, Weights& global) override {
    const size_t n = global.size();
    if (!m_.empty() && m_.size() != n) {
      throw Error(ErrorKind::kInvalid, "", "the server optimizer holds moments for " + std::to_string(m_.size()) +
                                               " values; the model has " + std::to_string(n));
    }
    const std::vector<double> d = weighted_mean_delta(updates, n, config_.max_update_norm);
    if (m_.empty()) {
      m_.assign(n, 0.0);
      v_.assign(n, config_.tau * config_.tau);  // v_{-1} >= tau^2 (Algorithm 2)
    }
    const double b1 = config_.beta1, b2 = config_.beta2;
    const bool yogi = config_.kind == StrategyKind::kFedYogi;
    for (size_t j = 0; j < n; ++j) {
      const double d2 = d[j] * d[j];
      m_[j] = b1 * m_[j] + (1 - b1) * d[j];
      if (yogi) {
        const double difference = v_[j] - d2;
        const double sign = difference > 0 ? 1.0 : (difference < 0 ? -1.0 : 0.0);
        v_[j] = v_[j] - (1 - b2) * d2 * sign;
      } else {
        v_[j] = b2 * v_[j] + (1 - b2) * d2;
      }
      global[j] = static_cast<float>(global[j] + config_.server_learning_rate * m_[j] / (std::sqrt(v_[j]) + config_.tau));
    }
    ++steps_;
  }

  std::string save_state() const override {
    nlohmann::json meta = {{"format", "tinymlops-fl-strategy-state"},
                           {"strategy", strategy_name(config_.kind)},
                           {"values", m_.size()},
                           {"steps", steps_}};
    std::string data;
    put_doubles(data, m_);
    put_doubles(data, v_);
    return pack_container(kStateContainer, meta.dump(), data);
  }

  void load_state(std::string_view bytes, const std::string& source) override {
    const ContainerSections sections = unpack_container(bytes, kStateContainer, source);
    const std::string name = strategy_name(config_.kind);
    size_t count = 0;
    int64_t steps = 0;
    try {
      const nlohmann::json meta = nlohmann::json::parse(sections.meta);
      if (meta.at("format") != "tinymlops-fl-strategy-state") {
        throw Error(ErrorKind::kFormat, source, "metadata is not a federated strategy state");
      }
      const std::string saved = meta.at("strategy").get<std::string>();
      if (saved != name) {
        throw Error(ErrorKind::kFormat, source, "the state was saved by strategy '" + saved + "', not '" + name + "'");
      }
      count = meta.at("values").get<size_t>();
      steps = meta.at("steps").get<int64_t>();
    } catch (const nlohmann::json::exception& e) {
      throw Error(ErrorKind::kFormat, source, std::string("bad strategy state metadata: ") + e.what());
    }
    if (steps < 0 || count > sections.data.size() / 16 || sections.data.size() != 16 * count) {
      throw Error(ErrorKind::kFormat, source, "strategy state data of " + std::to_string(sections.data.size()) +
                                                  " bytes does not hold " + std::to_string(count) + " moment pairs");
    }
    std::vector<double> m = get_doubles(sections.data, 0, count);
    std::vector<double> v = get_doubles(sections.data, 8 * count, count);
    for (size_t j = 0; j < count; ++j) {
      if (!std::isfinite(m[j]) || !std::isfinite(v[j]) || v[j] < 0) {
        throw Error(ErrorKind::kFormat, source, "strategy state value " + std::to_string(j) +
                                                    " is not finite (or a negative second moment)");
      }
    }
    m_ = std::move(m);
    v_ = std::move(v);
    steps_ = steps;
  }

 private:
  StrategyConfig config_;
  std::vector<double> m_, v_;  // empty until the first round
  int64_t steps_ = 0;
};

}  // namespace

std::unique_ptr<Strategy> make_adaptive_strategy(const StrategyConfig& config) {
  return std::make_unique<AdaptiveStrategy>(config);
}

}  // namespace tinymlops::fl

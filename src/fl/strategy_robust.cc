// Robust aggregation: coordinate-wise median, trimmed mean (Yin et al. 2018)
// and Krum (Blanchard et al. 2017). All unweighted: a client cannot buy
// influence by claiming many samples.
#include <algorithm>

#include "fl/strategy_internal.h"
#include "tinymlops/core/error.h"

namespace tinymlops::fl {
namespace {

class CoordinateWise final : public Strategy {
 public:
  explicit CoordinateWise(const StrategyConfig& config) : config_(config) {}

  void aggregate(const std::vector<ClientUpdate>& updates, Weights& global) override {
    const std::vector<Weights> deltas = ordered_bounded_deltas(updates, global.size(), config_.max_update_norm);
    const size_t n = deltas.size();
    // Median: the middle value, or the mean of the two middle ones. Trimmed
    // mean: floor(fraction * n) dropped at each end (at least one value kept).
    const bool median = config_.kind == StrategyKind::kMedian;
    const auto trim = static_cast<size_t>(config_.trim_fraction * static_cast<double>(n));
    std::vector<float> column(n);
    for (size_t j = 0; j < global.size(); ++j) {
      for (size_t i = 0; i < n; ++i) column[i] = deltas[i][j];
      std::sort(column.begin(), column.end());
      double value = 0;
      if (median) {
        value = n % 2 ? column[n / 2] : (static_cast<double>(column[n / 2 - 1]) + column[n / 2]) / 2;
      } else {
        for (size_t i = trim; i < n - trim; ++i) value += column[i];
        value /= static_cast<double>(n - 2 * trim);
      }
      global[j] = static_cast<float>(global[j] + value);
    }
  }

 private:
  StrategyConfig config_;
};

class Krum final : public Strategy {
 public:
  explicit Krum(const StrategyConfig& config) : config_(config) {}

  void aggregate(const std::vector<ClientUpdate>& updates, Weights& global) override {
    const std::vector<Weights> deltas = ordered_bounded_deltas(updates, global.size(), config_.max_update_norm);
    const size_t n = deltas.size();
    const auto f = static_cast<size_t>(config_.krum_byzantine);
    if (n < 2 * f + 3) {
      throw Error(ErrorKind::kInvalid, "", "Krum with f = " + std::to_string(f) + " needs at least " +
                                               std::to_string(2 * f + 3) + " updates, the round has " +
                                               std::to_string(n));
    }
    // Squared distances between every pair, in double.
    std::vector<double> distance(n * n, 0.0);
    for (size_t a = 0; a < n; ++a) {
      for (size_t b = a + 1; b < n; ++b) {
        double sum = 0;
        for (size_t j = 0; j < global.size(); ++j) {
          const double d = static_cast<double>(deltas[a][j]) - deltas[b][j];
          sum += d * d;
        }
        distance[a * n + b] = distance[b * n + a] = sum;
      }
    }
    // Score: the sum over the n - f - 2 nearest others; the lowest wins (the
    // first in client-id order on a tie).
    const size_t neighbours = n - f - 2;
    size_t best = 0;
    double best_score = 0;
    std::vector<double> row;
    for (size_t a = 0; a < n; ++a) {
      row.clear();
      for (size_t b = 0; b < n; ++b) {
        if (b != a) row.push_back(distance[a * n + b]);
      }
      std::sort(row.begin(), row.end());
      double score = 0;
      for (size_t k = 0; k < neighbours; ++k) score += row[k];
      if (a == 0 || score < best_score) {
        best = a;
        best_score = score;
      }
    }
    for (size_t j = 0; j < global.size(); ++j) global[j] += deltas[best][j];
  }

 private:
  StrategyConfig config_;
};

}  // namespace

std::unique_ptr<Strategy> make_robust_strategy(const StrategyConfig& config) {
  if (config.kind == StrategyKind::kKrum) return std::make_unique<Krum>(config);
  return std::make_unique<CoordinateWise>(config);
}

}  // namespace tinymlops::fl

// Robust aggregation: coordinate-wise median, trimmed mean (Yin et al. 2018)
// and Krum (Blanchard et al. 2017). All unweighted: a client cannot buy
// influence by claiming many samples.
#include <Eigen/Core>
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
    // Columns are gathered kBlock at a time, reading each delta contiguously.
    constexpr size_t kBlock = 64;
    std::vector<float> columns(kBlock * n);
    for (size_t first = 0; first < global.size(); first += kBlock) {
      const size_t width = std::min(kBlock, global.size() - first);
      for (size_t i = 0; i < n; ++i) {
        for (size_t k = 0; k < width; ++k) columns[k * n + i] = deltas[i][first + k];
      }
      for (size_t k = 0; k < width; ++k) {
        float* column = columns.data() + k * n;
        double value = 0;
        if (median) {
          std::nth_element(column, column + n / 2, column + n);
          value = column[n / 2];
          if (n % 2 == 0) value = (*std::max_element(column, column + n / 2) + value) / 2;
        } else {
          // The trim smallest to the front, the trim largest to the back.
          if (trim > 0) {
            std::nth_element(column, column + trim, column + n);
            std::nth_element(column + trim, column + (n - trim), column + n);
          }
          for (size_t i = trim; i < n - trim; ++i) value += column[i];
          value /= static_cast<double>(n - 2 * trim);
        }
        global[first + k] = static_cast<float>(global[first + k] + value);
      }
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
    // Squared distances between every pair, in double (one row per delta).
    const auto rows = static_cast<Eigen::Index>(n), cols = static_cast<Eigen::Index>(global.size());
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> x(rows, cols);
    for (Eigen::Index a = 0; a < rows; ++a) {
      x.row(a) = Eigen::Map<const Eigen::VectorXf>(deltas[static_cast<size_t>(a)].data(), cols).cast<double>();
    }
    std::vector<double> distance(n * n, 0.0);
    for (size_t a = 0; a < n; ++a) {
      for (size_t b = a + 1; b < n; ++b) {
        distance[a * n + b] = distance[b * n + a] =
            (x.row(static_cast<Eigen::Index>(a)) - x.row(static_cast<Eigen::Index>(b))).squaredNorm();
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

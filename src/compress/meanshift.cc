// meanshift_1d (compress/cluster.h).
#include <algorithm>
#include <cmath>

#include "cluster_1d.h"

namespace tinymlops {

namespace {

// Sorted values with prefix sums: the count and mean of those in any window in
// O(log n).
class SortedValues {
 public:
  explicit SortedValues(const std::vector<float>& values) : sorted_(values.begin(), values.end()) {
    std::sort(sorted_.begin(), sorted_.end());
    prefix_.assign(sorted_.size() + 1, 0.0);
    for (size_t i = 0; i < sorted_.size(); ++i) prefix_[i + 1] = prefix_[i] + sorted_[i];
  }

  const std::vector<double>& sorted() const { return sorted_; }

  // Count (weight) and mean of the values in [low, high]; mean 0 when none.
  WeightedMean within(double low, double high) const {
    const auto first = std::lower_bound(sorted_.begin(), sorted_.end(), low) - sorted_.begin();
    const auto last = std::upper_bound(sorted_.begin(), sorted_.end(), high) - sorted_.begin();
    const double count = static_cast<double>(last - first);
    if (count == 0) return {};
    return {count, (prefix_[static_cast<size_t>(last)] - prefix_[static_cast<size_t>(first)]) / count};
  }

 private:
  std::vector<double> sorted_;
  std::vector<double> prefix_;
};

// Bin seeding: the mean of the values in each non-empty bin [min + j h, min + (j + 1) h).
std::vector<double> bin_seeds(const std::vector<double>& sorted, double bandwidth) {
  std::vector<double> seeds;
  double sum = 0, count = 0, bin = 0;
  for (double v : sorted) {
    const double b = std::floor((v - sorted.front()) / bandwidth);
    if (count > 0 && b != bin) {
      seeds.push_back(sum / count);
      sum = 0, count = 0;
    }
    bin = b;
    sum += v, ++count;
  }
  seeds.push_back(sum / count);
  return seeds;
}

// The mode a seed climbs to with a flat kernel: x moves to the mean of the
// values within `bandwidth` until it moves less than bandwidth / 1000 (at most
// 300 steps, scikit-learn's limits). The window never empties: x is a mean of
// values in its previous window, so some value lies within `bandwidth` of it.
WeightedMean climb(const SortedValues& values, double seed, double bandwidth) {
  WeightedMean at = values.within(seed - bandwidth, seed + bandwidth);
  for (int step = 0; step < 300; ++step) {
    const WeightedMean next = values.within(at.mean - bandwidth, at.mean + bandwidth);
    const bool settled = std::abs(next.mean - at.mean) <= bandwidth * 1e-3;
    at = next;
    if (settled) break;
  }
  return at;
}

// Modes (ascending) within `radius` of the first mode of their run become one
// group, weighted by their windows' counts.
std::vector<WeightedMean> merge_runs(std::vector<WeightedMean> modes, double radius) {
  std::sort(modes.begin(), modes.end(), [](const WeightedMean& a, const WeightedMean& b) { return a.mean < b.mean; });
  std::vector<WeightedMean> groups;
  double run_start = 0, sum = 0, weight = 0;
  for (const WeightedMean& mode : modes) {
    if (weight > 0 && mode.mean - run_start > radius) {
      groups.push_back({weight, sum / weight});
      sum = 0, weight = 0;
    }
    if (weight == 0) run_start = mode.mean;
    sum += mode.weight * mode.mean;
    weight += mode.weight;
  }
  groups.push_back({weight, sum / weight});
  return groups;
}

}  // namespace

Clustering meanshift_1d(const std::vector<float>& values, double bandwidth, int max_clusters) {
  const double h = bandwidth > 0 ? bandwidth : default_bandwidth(values);
  const SortedValues sorted(values);
  if (!(h > 0)) {  // every value the same
    return clustering_from_means({sorted.within(sorted.sorted().front(), sorted.sorted().back())}, max_clusters, values);
  }
  std::vector<WeightedMean> modes;
  for (double seed : bin_seeds(sorted.sorted(), h)) modes.push_back(climb(sorted, seed, h));
  return clustering_from_means(merge_runs(std::move(modes), h / 2), max_clusters, values);
}

}  // namespace tinymlops

#include "tinymlops/compress/cluster.h"

#include <algorithm>
#include <cmath>

#include "cluster_1d.h"
#include "tinymlops/core/error.h"

namespace tinymlops {

int nearest_centroid(const std::vector<float>& centroids, float v) {
  auto it = std::lower_bound(centroids.begin(), centroids.end(), v);
  if (it == centroids.begin()) return 0;
  if (it == centroids.end()) return static_cast<int>(centroids.size() - 1);
  const int hi = static_cast<int>(it - centroids.begin());
  return (v - centroids[static_cast<size_t>(hi - 1)] <= centroids[static_cast<size_t>(hi)] - v) ? hi - 1 : hi;
}

Clustering clustering_from_means(std::vector<WeightedMean> groups, int max_clusters, const std::vector<float>& values) {
  auto by_mean = [](const WeightedMean& a, const WeightedMean& b) { return a.mean < b.mean; };
  std::sort(groups.begin(), groups.end(), by_mean);
  while (groups.size() > static_cast<size_t>(std::max(max_clusters, 1))) {
    size_t closest = 0;
    for (size_t j = 1; j + 1 < groups.size(); ++j) {
      if (groups[j + 1].mean - groups[j].mean < groups[closest + 1].mean - groups[closest].mean) closest = j;
    }
    const WeightedMean& a = groups[closest];
    const WeightedMean& b = groups[closest + 1];
    const double weight = a.weight + b.weight;
    groups[closest] = {weight, (a.weight * a.mean + b.weight * b.mean) / weight};
    groups.erase(groups.begin() + static_cast<std::ptrdiff_t>(closest + 1));
  }
  std::vector<float> means;
  for (const WeightedMean& g : groups) means.push_back(static_cast<float>(g.mean));
  std::sort(means.begin(), means.end());
  means.erase(std::unique(means.begin(), means.end()), means.end());
  std::vector<bool> used(means.size(), false);
  for (float v : values) used[static_cast<size_t>(nearest_centroid(means, v))] = true;
  Clustering result;
  for (size_t j = 0; j < means.size(); ++j) {
    if (used[j]) result.centroids.push_back(means[j]);
  }
  for (float v : values) result.assignment.push_back(nearest_centroid(result.centroids, v));
  return result;
}

namespace {

// Each centroid becomes the mean of its members; empty clusters are dropped.
void recenter(const std::vector<float>& values, Clustering* c) {
  std::vector<double> sum(c->centroids.size(), 0.0);
  std::vector<int64_t> count(c->centroids.size(), 0);
  for (size_t i = 0; i < values.size(); ++i) {
    sum[static_cast<size_t>(c->assignment[i])] += values[i];
    ++count[static_cast<size_t>(c->assignment[i])];
  }
  std::vector<float> kept;
  for (size_t j = 0; j < sum.size(); ++j) {
    if (count[j] > 0) kept.push_back(static_cast<float>(sum[j] / static_cast<double>(count[j])));
  }
  std::sort(kept.begin(), kept.end());
  c->centroids = kept;
}

}  // namespace

Clustering kmeans_1d(const std::vector<float>& values, int k) {
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  Clustering c;
  for (int j = 0; j < k; ++j) {
    c.centroids.push_back(k == 1 ? (*lo + *hi) / 2 : *lo + (*hi - *lo) * static_cast<float>(j) / static_cast<float>(k - 1));
  }
  c.centroids.erase(std::unique(c.centroids.begin(), c.centroids.end()), c.centroids.end());
  c.assignment.assign(values.size(), 0);
  for (int iteration = 0; iteration < 100; ++iteration) {
    bool changed = iteration == 0;
    for (size_t i = 0; i < values.size(); ++i) {
      const int j = nearest_centroid(c.centroids, values[i]);
      changed |= j != c.assignment[i];
      c.assignment[i] = j;
    }
    if (!changed) break;
    recenter(values, &c);
    for (size_t i = 0; i < values.size(); ++i) c.assignment[i] = nearest_centroid(c.centroids, values[i]);
  }
  return c;
}

namespace {

struct DataCloud {
  double n = 0, mean = 0, variance = 0;
};

// The cloud of `a` and `b` with `shared` values in both (AutoCloud's merge).
DataCloud merged_cloud(const DataCloud& a, const DataCloud& b, double shared) {
  DataCloud c;
  c.n = a.n + b.n - shared;
  c.mean = (a.n * a.mean + b.n * b.mean) / (a.n + b.n);
  c.variance = a.n + b.n > 2 ? ((a.n - 1) * a.variance + (b.n - 1) * b.variance) / (a.n + b.n - 2) : 0;
  return c;
}

// Merges, one pair at a time, the clouds whose intersection is larger than
// the rest of either; `overlap[i][j]` counts values typical of both.
void merge_overlapping_clouds(std::vector<DataCloud>& clouds, std::vector<std::vector<double>>& overlap) {
  for (bool merged = true; merged;) {
    merged = false;
    for (size_t i = 0; i < clouds.size() && !merged; ++i) {
      for (size_t j = i + 1; j < clouds.size() && !merged; ++j) {
        const double shared = overlap[i][j];
        if (shared <= clouds[i].n - shared && shared <= clouds[j].n - shared) continue;
        clouds[i] = merged_cloud(clouds[i], clouds[j], shared);
        for (size_t k = 0; k < clouds.size(); ++k) overlap[i][k] = overlap[k][i] = std::max(overlap[i][k], overlap[j][k]);
        overlap[i][i] = 0;
        clouds.erase(clouds.begin() + static_cast<std::ptrdiff_t>(j));
        overlap.erase(overlap.begin() + static_cast<std::ptrdiff_t>(j));
        for (auto& row : overlap) row.erase(row.begin() + static_cast<std::ptrdiff_t>(j));
        merged = true;
      }
    }
  }
}

}  // namespace

Clustering autocloud_1d(const std::vector<float>& values, double m, int max_clusters, bool merge_overlapping) {
  std::vector<DataCloud> clouds;
  std::vector<std::vector<double>> overlap;  // values typical of both clouds i and j
  // Sorted, the stream never puts a value in two clouds (a new cloud starts
  // only past the typical range of the last), so AutoCloud's merge needs the
  // stream in storage order.
  std::vector<float> stream = values;
  if (!merge_overlapping) std::sort(stream.begin(), stream.end());
  for (float value : stream) {
    const double x = value;
    // The cloud x is most typical of (least normalized eccentricity), if any.
    size_t best = clouds.size();
    double best_zeta = 0;
    std::vector<DataCloud> updated(clouds.size());
    std::vector<size_t> typical;
    for (size_t j = 0; j < clouds.size(); ++j) {
      // TEDA's recursive update with x included (k = n + 1).
      const DataCloud& c = clouds[j];
      const double k = c.n + 1;
      DataCloud u;
      u.n = k;
      u.mean = c.mean + (x - c.mean) / k;
      u.variance = (k - 1) / k * c.variance + (x - u.mean) * (x - u.mean) / (k - 1);
      const double eccentricity = u.variance > 0 ? 1 / k + (u.mean - x) * (u.mean - x) / (k * u.variance) : 1 / k;
      const double zeta = eccentricity / 2;
      if (zeta <= (m * m + 1) / (2 * k)) {
        typical.push_back(j);
        if (best == clouds.size() || zeta < best_zeta) best = j, best_zeta = zeta;
      }
      updated[j] = u;
    }
    if (best == clouds.size()) {
      clouds.push_back({1, x, 0});
      for (auto& row : overlap) row.push_back(0);
      overlap.emplace_back(clouds.size(), 0.0);
      continue;
    }
    clouds[best] = updated[best];
    if (!merge_overlapping || typical.size() < 2) continue;
    for (size_t a = 0; a < typical.size(); ++a) {
      for (size_t b = a + 1; b < typical.size(); ++b) {
        overlap[typical[a]][typical[b]] += 1;
        overlap[typical[b]][typical[a]] += 1;
      }
    }
    merge_overlapping_clouds(clouds, overlap);
  }
  std::vector<WeightedMean> groups;
  for (const DataCloud& c : clouds) groups.push_back({c.n, c.mean});
  return clustering_from_means(std::move(groups), max_clusters, values);
}

double default_bandwidth(const std::vector<float>& values) {
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  const double n = static_cast<double>(sorted.size());
  double mean = 0, square = 0;
  for (double v : sorted) mean += v / n;
  for (double v : sorted) square += (v - mean) * (v - mean);
  const double sd = sorted.size() > 1 ? std::sqrt(square / (n - 1)) : 0.0;
  // Quartiles by linear interpolation (R's type 7).
  auto quantile = [&](double q) {
    const double at = q * (n - 1);
    const size_t below = static_cast<size_t>(at);
    const size_t above = std::min(below + 1, sorted.size() - 1);
    return sorted[below] + (at - static_cast<double>(below)) * (sorted[above] - sorted[below]);
  };
  double spread = std::min(sd, (quantile(0.75) - quantile(0.25)) / 1.34);
  if (!(spread > 0)) spread = sd;
  return 0.9 * spread * std::pow(n, -0.2);
}

void check_cluster_options(const ClusterOptions& options) {
  if (options.method != "kmeans" && options.method != "autocloud" && options.method != "meanshift" &&
      options.method != "dbstream") {
    throw Error(ErrorKind::kUsage, "--method",
                "unknown clustering method '" + options.method + "' (kmeans, autocloud, meanshift, dbstream)");
  }
  if (options.clusters < 2 || options.clusters > 16) {
    throw Error(ErrorKind::kUsage, "--clusters",
                std::to_string(options.clusters) + " clusters is not supported (2 to 16: 4-bit codebook indices)");
  }
  if (!(options.m > 0)) throw Error(ErrorKind::kUsage, "--m", "must be positive");
  if (!(options.bandwidth >= 0) || std::isinf(options.bandwidth)) {
    throw Error(ErrorKind::kUsage, "--bandwidth", "must be positive, or 0 to derive it from each layer's values");
  }
  if (!(options.radius >= 0) || std::isinf(options.radius)) {
    throw Error(ErrorKind::kUsage, "--radius", "must be positive, or 0 to derive it from each layer's values");
  }
  const DbstreamTuning& d = options.dbstream;
  if (!(d.decay >= 0) || d.gap < 1 || !(d.alpha >= 0) || !(d.min_weight >= 0)) {
    throw Error(ErrorKind::kUsage, "dbstream", "decay, alpha and min_weight must not be negative, gap must be >= 1");
  }
  if (options.recluster_every < 0) {
    throw Error(ErrorKind::kUsage, "--recluster-every", "must not be negative (0: off)");
  }
}

Clustering cluster_1d(const std::vector<float>& values, const ClusterOptions& options) {
  if (options.method == "autocloud") {
    return autocloud_1d(values, options.m, options.clusters, options.merge_overlapping);
  }
  if (options.method == "meanshift") return meanshift_1d(values, options.bandwidth, options.clusters);
  if (options.method == "dbstream") return dbstream_1d(values, options.radius, options.clusters, options.dbstream);
  return kmeans_1d(values, options.clusters);
}

}  // namespace tinymlops

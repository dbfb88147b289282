#include "tinymlops/compress/cluster.h"

#include <algorithm>
#include <cmath>

#include "tinymlops/core/error.h"

namespace tinymlops {

namespace {

// Index of the centroid nearest to v (centroids ascending; ties to the lower).
int nearest(const std::vector<float>& centroids, float v) {
  auto it = std::lower_bound(centroids.begin(), centroids.end(), v);
  if (it == centroids.begin()) return 0;
  if (it == centroids.end()) return static_cast<int>(centroids.size() - 1);
  const int hi = static_cast<int>(it - centroids.begin());
  return (v - centroids[static_cast<size_t>(hi - 1)] <= centroids[static_cast<size_t>(hi)] - v) ? hi - 1 : hi;
}

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
      const int j = nearest(c.centroids, values[i]);
      changed |= j != c.assignment[i];
      c.assignment[i] = j;
    }
    if (!changed) break;
    recenter(values, &c);
    for (size_t i = 0; i < values.size(); ++i) c.assignment[i] = nearest(c.centroids, values[i]);
  }
  return c;
}

Clustering autocloud_1d(const std::vector<float>& values, double m, int max_clusters) {
  struct Cloud {
    double n = 0, mean = 0, variance = 0;
  };
  // Combines two clouds' counts, means and (population-style) variances.
  auto merge = [](const Cloud& a, const Cloud& b) {
    Cloud c;
    c.n = a.n + b.n;
    c.mean = (a.n * a.mean + b.n * b.mean) / c.n;
    c.variance = (a.n * (a.variance + (a.mean - c.mean) * (a.mean - c.mean)) +
                  b.n * (b.variance + (b.mean - c.mean) * (b.mean - c.mean))) / c.n;
    return c;
  };
  std::vector<Cloud> clouds;
  std::vector<float> stream = values;
  std::sort(stream.begin(), stream.end());
  for (float value : stream) {
    const double x = value;
    // The cloud x is most typical of (least normalized eccentricity), if any.
    size_t best = clouds.size();
    double best_zeta = 0;
    std::vector<Cloud> updated(clouds.size());
    for (size_t j = 0; j < clouds.size(); ++j) {
      // TEDA's recursive update with x included (k = n + 1).
      const Cloud& c = clouds[j];
      const double k = c.n + 1;
      Cloud u;
      u.n = k;
      u.mean = c.mean + (x - c.mean) / k;
      u.variance = (k - 1) / k * c.variance + (x - u.mean) * (x - u.mean) / (k - 1);
      const double eccentricity = u.variance > 0 ? 1 / k + (u.mean - x) * (u.mean - x) / (k * u.variance) : 1 / k;
      const double zeta = eccentricity / 2;
      if (zeta <= (m * m + 1) / (2 * k) && (best == clouds.size() || zeta < best_zeta)) best = j, best_zeta = zeta;
      updated[j] = u;
    }
    if (best == clouds.size()) {
      clouds.push_back({1, x, 0});
    } else {
      clouds[best] = updated[best];
    }
  }
  while (clouds.size() > static_cast<size_t>(std::max(max_clusters, 1))) {
    std::sort(clouds.begin(), clouds.end(), [](const Cloud& a, const Cloud& b) { return a.mean < b.mean; });
    size_t closest = 0;
    for (size_t j = 1; j + 1 < clouds.size(); ++j) {
      if (clouds[j + 1].mean - clouds[j].mean < clouds[closest + 1].mean - clouds[closest].mean) closest = j;
    }
    clouds[closest] = merge(clouds[closest], clouds[closest + 1]);
    clouds.erase(clouds.begin() + static_cast<std::ptrdiff_t>(closest + 1));
  }
  Clustering result;
  for (const Cloud& c : clouds) result.centroids.push_back(static_cast<float>(c.mean));
  std::sort(result.centroids.begin(), result.centroids.end());
  result.centroids.erase(std::unique(result.centroids.begin(), result.centroids.end()), result.centroids.end());
  for (float v : values) result.assignment.push_back(nearest(result.centroids, v));
  return result;
}

TrainHistory cluster_model(Model& model, const ClusterOptions& options, const Dataset& train, Progress* progress) {
  if (options.method != "kmeans" && options.method != "autocloud") {
    throw Error(ErrorKind::kUsage, "--method", "unknown clustering method '" + options.method + "' (kmeans, autocloud)");
  }
  if (!(options.m > 0)) throw Error(ErrorKind::kUsage, "--m", "must be positive");
  if (options.clusters < 2 || options.clusters > 16) {
    throw Error(ErrorKind::kUsage, "--clusters",
                std::to_string(options.clusters) + " clusters is not supported (2 to 16: 4-bit codebook indices)");
  }
  struct Target {
    Param* weights;
    Clustering clustering;
  };
  std::vector<Target> targets;
  for (size_t i = 0; i < model.num_layers(); ++i) {
    Param* p = weights_param(model.layer(i));
    if (!p) continue;
    const std::vector<float> values(p->value.begin(), p->value.end());
    targets.push_back({p, options.method == "kmeans" ? kmeans_1d(values, options.clusters)
                                                     : autocloud_1d(values, options.m, options.clusters)});
  }
  auto snap = [&] {
    for (Target& t : targets) {
      for (Eigen::Index k = 0; k < t.weights->value.size(); ++k) {
        t.weights->value[k] = t.clustering.centroids[static_cast<size_t>(t.clustering.assignment[static_cast<size_t>(k)])];
      }
    }
  };
  snap();
  TrainHistory history;
  if (options.fine_tune.epochs > 0) {
    TrainOptions fine_tune = options.fine_tune;
    fine_tune.early_stopping.patience = 0;
    fine_tune.after_step = [&](long, long) {
      // Centroid update: the mean of the cluster's updated weights. Assignments
      // stay fixed, so no cluster empties and the codebook keeps its size.
      for (Target& t : targets) {
        std::vector<double> sum(t.clustering.centroids.size(), 0.0);
        std::vector<int64_t> count(t.clustering.centroids.size(), 0);
        for (Eigen::Index k = 0; k < t.weights->value.size(); ++k) {
          const size_t j = static_cast<size_t>(t.clustering.assignment[static_cast<size_t>(k)]);
          sum[j] += t.weights->value[k];
          ++count[j];
        }
        for (size_t j = 0; j < sum.size(); ++j) {
          t.clustering.centroids[j] = static_cast<float>(sum[j] / static_cast<double>(count[j]));
        }
      }
      snap();
    };
    history = train_model(model, train, nullptr, fine_tune, progress);
  }
  return history;
}

}  // namespace tinymlops

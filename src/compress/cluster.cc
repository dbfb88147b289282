#include "tinymlops/compress/cluster.h"

#include <algorithm>
#include <cmath>

#include "tinymlops/core/error.h"

namespace tinymlops {

namespace {

bool is_weighted(LayerKind kind) {
  return kind == LayerKind::kDense || kind == LayerKind::kConv1D || kind == LayerKind::kConv2D ||
         kind == LayerKind::kDepthwiseConv2D;
}

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

TrainHistory cluster_model(Model& model, const ClusterOptions& options, const Dataset& train, Progress* progress) {
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
    if (!is_weighted(model.layer(i).kind())) continue;
    for (Param* p : model.layer(i).params()) {
      if (p->name != "weights") continue;
      const std::vector<float> values(p->value.begin(), p->value.end());
      targets.push_back({p, kmeans_1d(values, options.clusters)});
    }
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

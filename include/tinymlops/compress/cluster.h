// Weight clustering (weight sharing): every weight of a layer takes one of k
// values, so a deployed layer stores a k-entry codebook and log2(k)-bit indices.
//
// k-means per layer (Lloyd's algorithm from k centroids spread linearly over
// [min, max], as Deep Compression found best; deterministic, no random draws),
// then optional fine-tuning in which, after every step, each centroid becomes
// the mean of its cluster's updated weights and every weight snaps back to its
// centroid (the gradients of a cluster are thus averaged into its centroid).
// Biases and batch norm are not clustered.
#pragma once

#include <vector>

#include "tinymlops/nn/model.h"
#include "tinymlops/nn/trainer.h"

namespace tinymlops {

struct Clustering {
  std::vector<float> centroids;  // ascending
  std::vector<int> assignment;   // per value, index into centroids
};

// k-means of `values` into at most `k` clusters (fewer when there are fewer
// distinct values). REQUIRES k >= 1, values non-empty.
Clustering kmeans_1d(const std::vector<float>& values, int k);

struct ClusterOptions {
  int clusters = 16;       // 2..16 (the codebook kernel's 4-bit indices)
  TrainOptions fine_tune;  // epochs = 0: cluster without fine-tuning
};

// Clusters every Dense/convolution weight tensor of `model` in place and
// fine-tunes. Throws Error(kUsage) for clusters outside 2..16.
TrainHistory cluster_model(Model& model, const ClusterOptions& options, const Dataset& train, Progress* progress);

}  // namespace tinymlops

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

#include <string>
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

// Evolving clustering (AutoCloud, Bezerra et al. 2020, on TEDA): the values
// are read as a stream in ascending order (a layer's weight order means
// nothing, and AutoCloud's second point always joins the first cloud, so an
// unsorted stream could blur distant groups together); each data cloud keeps
// its count n, mean and variance.
// A value x is typical of a cloud when its normalized eccentricity, computed
// with x included, satisfies zeta <= (m^2 + 1) / (2n); it joins the cloud it is
// most typical of (least zeta), or starts a new cloud when typical of none. The
// number of clouds is thus chosen by the data (m = 1.414 by default; larger m:
// fewer, wider clouds). AutoCloud's merging of overlapping clouds is replaced
// by one rule (merging whenever a value was typical of several clouds
// collapsed weight distributions into one cloud): while more than
// `max_clusters` clouds remain, the two with the closest means merge.
// Each value is finally assigned to the nearest cloud mean.
Clustering autocloud_1d(const std::vector<float>& values, double m, int max_clusters);

struct ClusterOptions {
  std::string method = "kmeans";  // or "autocloud" (clusters then is the maximum)
  int clusters = 16;              // 2..16 (the codebook kernel's 4-bit indices)
  double m = 1.414;               // autocloud's typicality threshold
  TrainOptions fine_tune;         // epochs = 0: cluster without fine-tuning
};

// Clusters every Dense/convolution weight tensor of `model` in place and
// fine-tunes. Throws Error(kUsage) for clusters outside 2..16.
TrainHistory cluster_model(Model& model, const ClusterOptions& options, const Dataset& train, Progress* progress);

}  // namespace tinymlops

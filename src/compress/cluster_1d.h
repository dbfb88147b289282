// What the 1-D clusterers (k-means, AutoCloud, mean-shift, DBSTREAM) share:
// nearest-centroid assignment and the final closest-pair merge (internal to
// src/compress).
#pragma once

#include <vector>

#include "tinymlops/compress/cluster.h"

namespace tinymlops {

// Index of the centroid nearest to v. REQUIRES centroids ascending and
// non-empty; a tie goes to the lower index.
int nearest_centroid(const std::vector<float>& centroids, float v);

// A group a clusterer found: how much data it holds (a count, or a decayed
// weight) and where its centre is.
struct WeightedMean {
  double weight = 0;
  double mean = 0;
};

// Finishes a clustering from the groups a method found: while more than
// max(max_clusters, 1) groups remain, the two with the closest means merge
// (weighted mean of the two); then the means become the ascending, distinct
// centroids, each value is assigned to its nearest centroid, and centroids no
// value is nearest to are dropped. REQUIRES groups and values non-empty,
// every weight > 0.
Clustering clustering_from_means(std::vector<WeightedMean> groups, int max_clusters, const std::vector<float>& values);

}  // namespace tinymlops

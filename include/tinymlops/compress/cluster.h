// Weight clustering (weight sharing): every weight of a layer takes one of k
// values, so a deployed layer stores a k-entry codebook and log2(k)-bit indices.
//
// k-means per layer (Lloyd's algorithm from k centroids spread linearly over
// [min, max], as Deep Compression found best; deterministic, no random draws),
// then optional fine-tuning in which, after every step, each centroid becomes
// the mean of its cluster's updated weights and every weight snaps back to its
// centroid (the gradients of a cluster are thus averaged into its centroid).
// Methods that let the data choose how many clusters (at most k): AutoCloud,
// mean-shift and DBSTREAM. Biases may be clustered too (own codebook per
// layer); batch norm is not. Cluster-aware training re-clusters periodically.
//
// Example: share 16 values per layer found by mean-shift, biases included,
// re-clustering every 50 fine-tuning steps:
//
//   ClusterOptions options;
//   options.method = "meanshift";   // bandwidth 0: Silverman's rule per layer
//   options.cluster_biases = true;
//   options.recluster_every = 50;
//   options.fine_tune.epochs = 5;
//   cluster_model(model, options, train, nullptr);
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
// fewer, wider clouds). With merge_overlapping, AutoCloud's own merge rule
// applies as the stream goes: the values typical of both of two clouds count
// as their intersection n_ij, and the clouds merge (counts, means and pooled
// variances combined) when n_ij > n_i - n_ij or n_ij > n_j - n_ij. Either way,
// while more than `max_clusters` clouds remain at the end, the two with the
// closest means merge. Each value is finally assigned to the nearest cloud mean.
Clustering autocloud_1d(const std::vector<float>& values, double m, int max_clusters, bool merge_overlapping = false);

// Silverman's rule of thumb for a kernel bandwidth over `values`:
// 0.9 * min(sd, IQR / 1.34) * n^(-1/5), with sd alone when the IQR is 0
// (R's bw.nrd0). 0 only when every value is the same. REQUIRES values non-empty.
double default_bandwidth(const std::vector<float>& values);

// Mean-shift with a flat kernel (scikit-learn's MeanShift): a point moves to the
// mean of the values within `bandwidth` of it until it stops (a mode). Seeds are
// the means of the values in bins `bandwidth` wide (bin seeding), so the cost is
// O(n log n + seeds * iterations * log n). Modes within bandwidth / 2 of the
// lowest mode of their run merge (weighted by the values in each mode's
// window); while more than `max_clusters` remain, the closest two merge, as in
// autocloud_1d. Each value is assigned to the nearest mode. Larger bandwidth:
// fewer clusters. bandwidth 0: default_bandwidth(values). Deterministic.
// REQUIRES values non-empty, bandwidth >= 0.
Clustering meanshift_1d(const std::vector<float>& values, double bandwidth, int max_clusters);

// DBSTREAM's settings besides the radius (defaults: Hahsler & Bolanos 2016 and
// R's stream::DSC_DBSTREAM).
struct DbstreamTuning {
  double decay = 1e-3;     // lambda: weights fade by 2^-lambda per value streamed
  int gap = 1000;          // t_gap: weak micro-clusters and links removed every gap values
  double alpha = 0.3;      // micro-clusters connect when shared / mean weight >= alpha
  double min_weight = 3;   // C_m: lighter micro-clusters are noise when forming macro-clusters
};

// DBSTREAM (Hahsler & Bolanos 2016) over `values` streamed in the order given
// (a layer's storage order, unrelated to the values, so it behaves like a
// shuffled stream). Each value within `radius` of micro-clusters adds 1 to
// their decayed weights, pulls their centres towards it (Gaussian neighbourhood,
// sigma = radius / 3; undone when two centres would come closer than 0.9 radius)
// and adds 1 to the shared density of every pair of them; a value near none
// starts a micro-cluster. Every `gap` values, micro-clusters with decayed weight
// <= 2^(-decay * gap) and links below alpha times that are removed. At the end,
// micro-clusters of weight >= min_weight linked by shared density >= alpha *
// their mean weight form macro-clusters (connected components; centre = weighted
// mean of the members' centres; if every micro-cluster is noise, all are used).
// While more than `max_clusters` remain the closest two merge, and each value is
// assigned to the nearest centre. Larger radius: fewer clusters. radius 0:
// default_bandwidth(values). Deterministic.
// REQUIRES values non-empty, radius >= 0, tuning.gap >= 1, decay >= 0, alpha >= 0.
Clustering dbstream_1d(const std::vector<float>& values, double radius, int max_clusters,
                       const DbstreamTuning& tuning = {});

struct ClusterOptions {
  // "kmeans", or one that chooses the count itself, with `clusters` the maximum:
  // "autocloud", "meanshift" or "dbstream".
  std::string method = "kmeans";
  int clusters = 16;              // 2..16 (the codebook kernel's 4-bit indices)
  double m = 1.414;               // autocloud's typicality threshold
  bool merge_overlapping = false;  // autocloud: AutoCloud's merge of overlapping clouds (autocloud_1d)
  double bandwidth = 0;           // meanshift; 0: default_bandwidth of each tensor
  double radius = 0;              // dbstream; 0: default_bandwidth of each tensor
  DbstreamTuning dbstream;        // dbstream's other settings
  bool cluster_biases = false;    // also each clustered layer's bias vector (own codebook)
  // Cluster-aware training, 0: off. N > 0: the forward pass uses the shared
  // values while float latent weights take the updates (straight-through);
  // after every step each weight joins the centroid nearest its latent value
  // and each centroid becomes the mean of its members' latent values, and every
  // N steps each tensor is clustered again (same method) from its latent weights.
  int recluster_every = 0;
  TrainOptions fine_tune;         // epochs = 0: cluster without fine-tuning
};

// Throws Error(kUsage) naming the CLI flag for an unknown method, clusters
// outside 2..16, m <= 0, a negative (or NaN) bandwidth or radius, or a negative
// recluster_every.
void check_cluster_options(const ClusterOptions& options);

// `values` clustered by options.method into at most options.clusters.
// REQUIRES values non-empty, options valid (check_cluster_options).
Clustering cluster_1d(const std::vector<float>& values, const ClusterOptions& options);

// Clusters every Dense/convolution weight tensor of `model` (and its bias with
// cluster_biases) in place and fine-tunes; afterwards each tensor holds at most
// options.clusters distinct values. Throws as check_cluster_options.
TrainHistory cluster_model(Model& model, const ClusterOptions& options, const Dataset& train, Progress* progress);

}  // namespace tinymlops

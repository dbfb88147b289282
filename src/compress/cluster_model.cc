// cluster_model (compress/cluster.h): clustering a model's tensors, then
// centroid fine-tuning or cluster-aware training.
#include <Eigen/Core>
#include <cmath>

#include "tinymlops/compress/cluster.h"

namespace tinymlops {

namespace {

// One clustered tensor: its parameter, current clustering, and (cluster-aware
// training only) the float latent weights the optimizer updates.
struct Target {
  Param* param;
  Clustering clustering;
  Eigen::VectorXf latent;
};

std::vector<float> values_of(const Param& p) { return std::vector<float>(p.value.begin(), p.value.end()); }

// The weights of every Dense/convolution layer, and with cluster_biases its bias.
std::vector<Target> targets_of(Model& model, bool biases) {
  std::vector<Target> targets;
  for (size_t i = 0; i < model.num_layers(); ++i) {
    Param* weights = weights_param(model.layer(i));
    if (!weights) continue;
    targets.push_back({weights, {}, {}});
    if (!biases) continue;
    for (Param* p : model.layer(i).params()) {
      if (p->name == "bias" && p->value.size() > 0) targets.push_back({p, {}, {}});
    }
  }
  return targets;
}

// Every value of the tensor becomes its cluster's centroid.
void snap(Target& t) {
  for (Eigen::Index k = 0; k < t.param->value.size(); ++k) {
    t.param->value[k] = t.clustering.centroids[static_cast<size_t>(t.clustering.assignment[static_cast<size_t>(k)])];
  }
}

// Each centroid becomes the mean of its members in `values` (assignments fixed,
// so the codebook keeps its size; a centroid without members stays).
void recenter(Target& t, const Eigen::VectorXf& values) {
  std::vector<double> sum(t.clustering.centroids.size(), 0.0);
  std::vector<int64_t> count(t.clustering.centroids.size(), 0);
  for (Eigen::Index k = 0; k < values.size(); ++k) {
    const size_t j = static_cast<size_t>(t.clustering.assignment[static_cast<size_t>(k)]);
    sum[j] += values[k];
    ++count[j];
  }
  for (size_t j = 0; j < sum.size(); ++j) {
    if (count[j] > 0) t.clustering.centroids[j] = static_cast<float>(sum[j] / static_cast<double>(count[j]));
  }
}

// Each value moves to the cluster whose centroid is nearest to it (a linear
// scan: centroids that kept no members may be out of order).
void reassign(Target& t, const Eigen::VectorXf& values) {
  const std::vector<float>& centroids = t.clustering.centroids;
  for (Eigen::Index k = 0; k < values.size(); ++k) {
    size_t best = 0;
    for (size_t j = 1; j < centroids.size(); ++j) {
      if (std::abs(values[k] - centroids[j]) < std::abs(values[k] - centroids[best])) best = j;
    }
    t.clustering.assignment[static_cast<size_t>(k)] = static_cast<int>(best);
  }
}

// Centroid fine-tuning: after every step the centroids move to the means of
// their clusters' updated weights and the weights snap back to them.
void add_centroid_fine_tuning(std::vector<Target>& targets, TrainOptions& fine_tune) {
  fine_tune.after_step = [&targets](long, long) {
    for (Target& t : targets) {
      recenter(t, t.param->value);
      snap(t);
    }
  };
}

// Cluster-aware training: forward and backward see the shared values, the
// optimizer updates the latent weights (straight-through); after each step a
// weight joins the centroid nearest its latent value (so a weight the gradient
// keeps pushing changes cluster instead of drifting unseen) and centroids move
// to their members' latent means; every options.recluster_every steps each
// tensor is clustered again from its latent weights.
void add_cluster_aware_training(std::vector<Target>& targets, const ClusterOptions& options, TrainOptions& fine_tune) {
  fine_tune.before_forward = [&targets] {
    for (Target& t : targets) {
      t.latent = t.param->value;
      snap(t);
    }
  };
  fine_tune.before_update = [&targets] {
    for (Target& t : targets) t.param->value = t.latent;
  };
  fine_tune.after_step = [&targets, &options](long step, long) {
    const bool recluster = (step + 1) % options.recluster_every == 0;
    for (Target& t : targets) {
      if (recluster) {
        t.clustering = cluster_1d(values_of(*t.param), options);
      } else {
        reassign(t, t.param->value);
        recenter(t, t.param->value);
      }
    }
  };
}

}  // namespace

TrainHistory cluster_model(Model& model, const ClusterOptions& options, const Dataset& train, Progress* progress) {
  check_cluster_options(options);
  std::vector<Target> targets = targets_of(model, options.cluster_biases);
  for (Target& t : targets) t.clustering = cluster_1d(values_of(*t.param), options);
  TrainHistory history;
  if (options.fine_tune.epochs > 0) {
    TrainOptions fine_tune = options.fine_tune;
    fine_tune.early_stopping.patience = 0;
    if (options.recluster_every > 0) {
      add_cluster_aware_training(targets, options, fine_tune);
    } else {
      for (Target& t : targets) snap(t);
      add_centroid_fine_tuning(targets, fine_tune);
    }
    history = train_model(model, train, nullptr, fine_tune, progress);
  }
  for (Target& t : targets) snap(t);
  return history;
}

}  // namespace tinymlops

// The job behind `tinymlops cluster`: load a trained model and its data, share
// each layer's weights among a few values (cluster.h), fine-tune the centroids,
// measure before and after, write the clustered float model.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tinymlops/compress/fine_tune_report.h"
#include "tinymlops/core/progress.h"
#include "tinymlops/nn/model.h"

namespace tinymlops {

struct ClusterConfig {
  std::string model, data, label;
  // or "autocloud" ("evolving"), "meanshift", "dbstream": the data chooses the count
  std::string method = "kmeans";
  int clusters = 16;              // 2..16 per layer (data-chosen methods: the maximum)
  double m = 1.414;               // autocloud's typicality threshold
  bool merge_overlapping = false;  // autocloud: AutoCloud's merge of overlapping clouds
  double bandwidth = 0;           // meanshift (0: Silverman's rule per tensor)
  double radius = 0;              // dbstream micro-cluster radius (0: Silverman's rule per tensor)
  bool cluster_biases = false;    // also cluster each layer's biases (float model only)
  int recluster_every = 0;        // cluster-aware training: re-cluster every N steps (0: off)
  int epochs = 5;                 // centroid fine-tuning epochs (0: none)
  float learning_rate = 1e-3f;
  bool drop_bad_rows = false;
  std::string out;  // clustered float model (.tmlm); quantize turns it into codebooks
};

// One weighted layer after clustering: how many values it holds and how many
// of them are distinct.
struct ClusteredLayer {
  std::string layer;  // "layers[i] (kind)"
  int64_t weights = 0, distinct = 0;
  // With ClusterConfig::cluster_biases, of the layer's biases; -1 when they were
  // not clustered (or the layer has none).
  int64_t biases = -1, distinct_biases = -1;
};

// What `tinymlops cluster` did and measured.
struct ClusterReport {
  int clusters = 16;    // ClusterConfig::clusters: the count (kmeans) or the most (data-chosen methods)
  std::string method;   // ClusterConfig::method, as given ("evolving" stays "evolving")
  std::vector<ClusteredLayer> layers;  // each weighted layer of the clustered model
  FineTuneReport fine_tune;            // rows, metrics before and after, the file written
};

// The report as `cluster --json` prints it, keys in this order:
// {"clusters","method","split","train_rows","eval_rows",
//  ["before":{metrics},"after":{metrics},"drop" (eval_rows > 0)],
//  "layers":[{"layer","weights","distinct",["biases","distinct_biases" (clustered)]}],
//  ["model","file_bytes" (written)]}
nlohmann::ordered_json to_json(const ClusterReport& report);

struct ClusterResult {
  Model model;
  ClusterReport report;
};

// Clusters and fine-tunes (same rows as run_prune, compress/prune_job.h). The
// result is a float model: quantize it next. Throws Error(kUsage) for negative
// epochs and for options check_cluster_options (cluster.h) rejects. "before"
// metrics are the trained model's, "after" the clustered and fine-tuned one's.
ClusterResult run_cluster(const ClusterConfig& config, Progress& progress);
// The same on a model already in memory (config.model unused); `source_sha256`
// is recorded as the clustered model's source.
ClusterResult cluster_trained(Model model, const std::string& source_sha256, const ClusterConfig& config,
                              Progress& progress);

}  // namespace tinymlops

// The job behind `tinymlops cluster`: load a trained model and its data, share
// each layer's weights among a few values (cluster.h), fine-tune the centroids,
// measure before and after, write the clustered float model.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

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

// Report: {"clusters","method","split","train_rows","eval_rows","before","after",
// "drop","layers":[{"layer","weights","distinct"[,"biases","distinct_biases"]}],
// "model","file_bytes"} (the bias counts with cluster_biases).
struct ClusterResult {
  Model model;
  nlohmann::ordered_json report;
};
ClusterResult run_cluster(const ClusterConfig& config, Progress& progress);
ClusterResult cluster_trained(Model model, const std::string& source_sha256, const ClusterConfig& config,
                              Progress& progress);

}  // namespace tinymlops

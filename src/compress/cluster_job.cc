// run_cluster and to_json(ClusterReport) (compress/cluster_job.h).
#include <algorithm>

#include "job_support.h"
#include "tinymlops/compress/cluster.h"
#include "tinymlops/compress/cluster_job.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/hash.h"
#include "tinymlops/nn/model_file.h"

namespace tinymlops {

namespace {

int64_t distinct_values(const Param& p) {
  std::vector<float> values(p.value.begin(), p.value.end());
  std::sort(values.begin(), values.end());
  return std::unique(values.begin(), values.end()) - values.begin();
}

}  // namespace

ClusterResult run_cluster(const ClusterConfig& config, Progress& progress) {
  Model model = load_model(config.model);
  return cluster_trained(std::move(model), sha256_file_hex(config.model), config, progress);
}

ClusterResult cluster_trained(Model model, const std::string& source_sha256, const ClusterConfig& config,
                              Progress& progress) {
  if (config.epochs < 0) throw Error(ErrorKind::kUsage, "--epochs", "must not be negative");
  if (!config.label.empty() && config.label != model.metadata.label_name) {
    throw Error(ErrorKind::kUsage, "--label", "the model was trained on label '" + model.metadata.label_name +
                                                  "', not '" + config.label + "'");
  }
  ClusterOptions options;
  options.clusters = config.clusters;
  options.method = config.method == "evolving" ? "autocloud" : config.method;
  options.m = config.m;
  options.merge_overlapping = config.merge_overlapping;
  options.bandwidth = config.bandwidth;
  options.radius = config.radius;
  options.cluster_biases = config.cluster_biases;
  options.recluster_every = config.recluster_every;
  options.fine_tune = fine_tune_options(model, config.epochs, config.learning_rate);
  check_cluster_options(options);
  HeldOutRows rows = held_out_rows(model, config.data, config.drop_bad_rows, 0);
  if (rows.train.size() == 0) throw Error(ErrorKind::kInvalid, config.data, "no rows to fine-tune on");

  ClusterResult result;
  ClusterReport& r = result.report;
  r.clusters = config.clusters;
  r.method = config.method;
  r.fine_tune = start_fine_tune_report(model, rows);
  cluster_model(model, options, rows.train, &progress);
  finish_fine_tune_report(model, rows, r.fine_tune);
  for (size_t i = 0; i < model.num_layers(); ++i) {
    const Param* p = weights_param(model.layer(i));
    if (!p) continue;
    ClusteredLayer layer;
    layer.layer = "layers[" + std::to_string(i) + "] (" + layer_kind_name(model.layer(i).kind()) + ")";
    layer.weights = static_cast<int64_t>(p->value.size());
    layer.distinct = distinct_values(*p);
    if (config.cluster_biases) {
      for (const Param* b : model.layer(i).params()) {
        if (b->name != "bias") continue;
        layer.biases = static_cast<int64_t>(b->value.size());
        layer.distinct_biases = distinct_values(*b);
      }
    }
    r.layers.push_back(layer);
  }
  nlohmann::json provenance = {{"method", config.method}, {"clusters", config.clusters}};
  if (options.method == "autocloud") {
    provenance["m"] = config.m;
    provenance["merge_overlapping"] = config.merge_overlapping;
  }
  if (options.method == "meanshift") provenance["bandwidth"] = config.bandwidth;
  if (options.method == "dbstream") provenance["radius"] = config.radius;
  provenance["biases"] = config.cluster_biases;
  provenance["recluster_every"] = config.recluster_every;
  provenance["epochs"] = config.epochs;
  provenance["lr"] = config.learning_rate;
  provenance["source_model_sha256"] = source_sha256;
  model.metadata.provenance["clustering"] = provenance;
  write_float_model(model, config.out, r.fine_tune);
  result.model = std::move(model);
  return result;
}

nlohmann::ordered_json to_json(const ClusterReport& r) {
  nlohmann::ordered_json j;
  j["clusters"] = r.clusters;
  j["method"] = r.method;
  append_rows_json(r.fine_tune, j);
  append_metrics_json(r.fine_tune, j);
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (const ClusteredLayer& l : r.layers) {
    nlohmann::ordered_json layer = {{"layer", l.layer}, {"weights", l.weights}, {"distinct", l.distinct}};
    if (l.biases >= 0) {
      layer["biases"] = l.biases;
      layer["distinct_biases"] = l.distinct_biases;
    }
    layers.push_back(layer);
  }
  j["layers"] = layers;
  append_file_json(r.fine_tune, j);
  return j;
}

}  // namespace tinymlops

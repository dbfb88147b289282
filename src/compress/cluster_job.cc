// run_cluster (compress/cluster_job.h).
#include <algorithm>

#include "job_support.h"
#include "tinymlops/compress/cluster.h"
#include "tinymlops/compress/cluster_job.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
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
  nlohmann::ordered_json& r = result.report;
  r["clusters"] = config.clusters;
  r["method"] = config.method;
  r["split"] = rows.split;
  r["train_rows"] = rows.train.size();
  r["eval_rows"] = rows.evaluation.size();
  nlohmann::ordered_json before;
  if (rows.evaluation.size() > 0) before = task_metrics(model.metadata, rows.evaluation, model.predict(rows.evaluation.features));
  cluster_model(model, options, rows.train, &progress);
  if (rows.evaluation.size() > 0) {
    const nlohmann::ordered_json after = task_metrics(model.metadata, rows.evaluation, model.predict(rows.evaluation.features));
    r["before"] = before;
    r["after"] = after;
    r["drop"] = metric_drop(model.metadata, before, after);
  }
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (size_t i = 0; i < model.num_layers(); ++i) {
    const Param* p = weights_param(model.layer(i));
    if (!p) continue;
    nlohmann::ordered_json layer = {
        {"layer", "layers[" + std::to_string(i) + "] (" + layer_kind_name(model.layer(i).kind()) + ")"},
        {"weights", p->value.size()},
        {"distinct", distinct_values(*p)}};
    if (config.cluster_biases) {
      for (const Param* b : model.layer(i).params()) {
        if (b->name != "bias") continue;
        layer["biases"] = b->value.size();
        layer["distinct_biases"] = distinct_values(*b);
      }
    }
    layers.push_back(layer);
  }
  r["layers"] = layers;
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
  if (!config.out.empty()) {
    const std::string bytes = serialize_model(model);
    write_file_atomic(config.out, bytes);
    r["model"] = config.out;
    r["file_bytes"] = bytes.size();
  }
  result.model = std::move(model);
  return result;
}

}  // namespace tinymlops

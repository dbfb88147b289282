// run_prune and to_json(PruneReport) (compress/prune_job.h).
#include "job_support.h"
#include "tinymlops/compress/prune.h"
#include "tinymlops/compress/prune_job.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/hash.h"
#include "tinymlops/nn/model_file.h"

namespace tinymlops {

namespace {

int64_t nonzero_weights(Model& model) {
  int64_t count = 0;
  for (const LayerSparsity& s : sparsity_report(model)) count += s.weights - s.zeros;
  return count;
}

// Output units/filters of every weighted layer, before and after structured
// pruning (the two models have the same layers).
std::vector<UnitCount> unit_counts(Model& before, Model& after) {
  std::vector<UnitCount> units;
  for (size_t i = 0; i < before.num_layers(); ++i) {
    if (!weights_param(before.layer(i))) continue;
    units.push_back({"layers[" + std::to_string(i) + "] (" + layer_kind_name(before.layer(i).kind()) + ")",
                     before.layer(i).output_shape().dims.back(), after.layer(i).output_shape().dims.back()});
  }
  return units;
}

}  // namespace

PruneResult run_prune(const PruneConfig& config, Progress& progress) {
  Model model = load_model(config.model);
  return prune_trained(std::move(model), sha256_file_hex(config.model), config, progress);
}

PruneResult prune_trained(Model model, const std::string& source_sha256, const PruneConfig& config,
                          Progress& progress) {
  if (!(config.sparsity >= 0 && config.sparsity < 1)) {
    throw Error(ErrorKind::kUsage, "--sparsity", "must be in [0, 1), got " + std::to_string(config.sparsity));
  }
  if (config.epochs < 0) throw Error(ErrorKind::kUsage, "--epochs", "must not be negative");
  if (config.structured && config.gradual) {
    throw Error(ErrorKind::kUsage, "--schedule", "gradual applies to unstructured pruning only");
  }
  if (!config.label.empty() && config.label != model.metadata.label_name) {
    throw Error(ErrorKind::kUsage, "--label", "the model was trained on label '" + model.metadata.label_name +
                                                  "', not '" + config.label + "'");
  }
  HeldOutRows rows = held_out_rows(model, config.data, config.drop_bad_rows, 0);
  if (rows.train.size() == 0) throw Error(ErrorKind::kInvalid, config.data, "no rows to fine-tune on");
  progress.message("fine-tuning on " + std::to_string(rows.train.size()) + " training rows of " + rows.split);

  PruneResult result;
  PruneReport& r = result.report;
  r.sparsity = config.sparsity;
  r.structured = config.structured;
  if (config.structured) r.norm = unit_norm_name(config.norm);
  r.global = config.global;
  r.gradual = config.gradual;
  r.params_before = model.trainable_parameter_count();
  r.nonzero_before = nonzero_weights(model);
  r.fine_tune = start_fine_tune_report(model, rows);

  const TrainOptions fine_tune = fine_tune_options(model, config.epochs, config.learning_rate);
  if (config.structured) {
    result.model = prune_units(model, config.sparsity, config.norm);
    r.units = unit_counts(model, result.model);
    if (fine_tune.epochs > 0) train_model(result.model, rows.train, nullptr, fine_tune, &progress);
  } else {
    PruneOptions options;
    options.sparsity = config.sparsity;
    options.global = config.global;
    options.gradual = config.gradual;
    options.fine_tune = fine_tune;
    prune_model(model, options, rows.train, nullptr, &progress);
    result.model = std::move(model);
  }
  Model& pruned = result.model;
  r.params_after = pruned.trainable_parameter_count();
  r.nonzero_after = nonzero_weights(pruned);
  finish_fine_tune_report(pruned, rows, r.fine_tune);
  r.layers = sparsity_report(pruned);
  pruned.metadata.provenance["pruning"] = {{"sparsity", config.sparsity},   {"structured", config.structured},
                                           {"global", config.global},       {"gradual", config.gradual},
                                           {"epochs", config.epochs},       {"lr", config.learning_rate},
                                           {"source_model_sha256", source_sha256}};
  if (config.structured) pruned.metadata.provenance["pruning"]["norm"] = unit_norm_name(config.norm);
  write_float_model(pruned, config.out, r.fine_tune);
  return result;
}

nlohmann::ordered_json to_json(const PruneReport& r) {
  nlohmann::ordered_json j;
  j["sparsity"] = r.sparsity;
  j["structured"] = r.structured;
  if (r.structured) j["norm"] = r.norm;
  j["global"] = r.global;
  j["gradual"] = r.gradual;
  append_rows_json(r.fine_tune, j);
  j["params_before"] = r.params_before;
  j["nonzero_before"] = r.nonzero_before;
  if (r.structured) {
    nlohmann::ordered_json units = nlohmann::ordered_json::array();
    for (const UnitCount& u : r.units) units.push_back({{"layer", u.layer}, {"before", u.before}, {"after", u.after}});
    j["units"] = units;
  }
  j["params_after"] = r.params_after;
  j["nonzero_after"] = r.nonzero_after;
  append_metrics_json(r.fine_tune, j);
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (const LayerSparsity& s : r.layers) {
    layers.push_back({{"layer", s.layer}, {"weights", s.weights}, {"zeros", s.zeros}});
  }
  j["layers"] = layers;
  append_file_json(r.fine_tune, j);
  return j;
}

}  // namespace tinymlops

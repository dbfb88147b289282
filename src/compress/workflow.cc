#include "tinymlops/compress/workflow.h"

#include <algorithm>
#include <cmath>

#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/core/hash.h"
#include "tinymlops/core/rng.h"
#include "tinymlops/data/split.h"
#include "tinymlops/nn/metrics.h"
#include "tinymlops/nn/model_file.h"
#include "tinymlops/nn/workflow.h"
#include "tinymlops/runtime/engine.h"
#include "tinymlops/runtime/lower.h"

namespace tinymlops {

namespace {

struct Rows {
  Dataset calibration, evaluation;
  std::string split;
};

Rows choose_rows(const Model& model, const QuantizeConfig& config) {
  Dataset data = load_for_model(model.metadata, config.data, config.drop_bad_rows, true);
  const nlohmann::json& provenance = model.metadata.provenance;
  const nlohmann::json params = provenance.value("params", nlohmann::json::object());
  const bool same_data = provenance.value("data_sha256", "") == sha256_file_hex(config.data) &&
                         params.contains("seed") && params.contains("test_split") &&
                         params.value("drop_bad_rows", false) == config.drop_bad_rows;
  Rows rows;
  SplitIndices split;
  if (same_data) {
    const double validation = params.at("validation_split").get<double>();
    const double test = params.at("test_split").get<double>();
    split = model.metadata.window.window > 0 ? split_in_order(data.size(), validation, test)
                                             : split_dataset(data, validation, test, params.at("seed").get<uint64_t>());
    rows.split = "the model's training split (test rows for metrics, training rows for calibration)";
  }
  if (!same_data || split.test.empty()) {
    split = model.metadata.window.window > 0 ? split_in_order(data.size(), 0.0, 0.2) : split_dataset(data, 0.0, 0.2, 0);
    rows.split = "a new split of " + config.data + " (20% test, seed 0)";
  }
  std::vector<size_t> calibration = split.train;
  if (static_cast<int>(calibration.size()) > config.calibration_samples) {
    Rng rng(0);
    rng.shuffle(calibration);
    calibration.resize(static_cast<size_t>(config.calibration_samples));
    std::sort(calibration.begin(), calibration.end());
  }
  rows.calibration = data.subset(calibration);
  rows.evaluation = data.subset(split.test);
  return rows;
}

nlohmann::ordered_json metrics_of(const ModelMetadata& meta, const Dataset& rows, const Matrix& outputs) {
  if (meta.task == Task::kClassification) return to_json(classification_metrics(rows.classes, outputs));
  return to_json(regression_metrics(rows.values, outputs.col(0)));
}

// Bytes of the constants by role (weights, biases, tables).
nlohmann::ordered_json bytes_by_role(const DeployModel& model) {
  int64_t weights = 0, biases = 0;
  for (const DeployOp& op : model.ops) {
    if (op.inputs.size() < 3) continue;
    weights += static_cast<int64_t>(model.tensors[static_cast<size_t>(op.inputs[1])].data.size());
    biases += static_cast<int64_t>(model.tensors[static_cast<size_t>(op.inputs[2])].data.size());
  }
  int64_t tables = 0;
  for (const DeployOp& op : model.ops) tables += op.kind == OpKind::kLookup ? 256 : 0;
  return {{"weights", weights}, {"biases", biases}, {"tables", tables}};
}

}  // namespace

QuantizeResult run_quantize(const QuantizeConfig& config, Progress& progress) {
  if (config.method != "ptq") {
    throw Error(ErrorKind::kUsage, "--method", "unknown or not yet available method '" + config.method +
                                                   "' (available: ptq)");
  }
  if (config.bits != 8) {
    throw Error(ErrorKind::kUsage, "--bits", std::to_string(config.bits) + " bits is not supported (supported: 8)");
  }
  if (config.calibration_samples < 1) {
    throw Error(ErrorKind::kUsage, "--calibration-samples", "must be at least 1");
  }
  if (config.data.empty()) throw Error(ErrorKind::kUsage, "--data", "quantize needs data to calibrate on");
  Model model = load_model(config.model);
  if (!config.label.empty() && config.label != model.metadata.label_name) {
    throw Error(ErrorKind::kUsage, "--label", "the model was trained on label '" + model.metadata.label_name +
                                                  "', not '" + config.label + "'");
  }
  Rows rows = choose_rows(model, config);
  if (rows.calibration.size() == 0) throw Error(ErrorKind::kInvalid, config.data, "no rows to calibrate on");
  progress.message("calibrating on " + std::to_string(rows.calibration.size()) + " rows of " + rows.split);

  DeployModel reference = lower_model(model);
  QuantizeResult result;
  result.model = quantize_int8(reference, rows.calibration.features, config.ptq);
  nlohmann::ordered_json& r = result.report;
  r["method"] = config.method;
  r["bits"] = config.bits;
  r["calibration"] = calibration_name(config.ptq.calibration);
  r["per_channel"] = config.ptq.per_channel;
  r["split"] = rows.split;
  r["calibration_rows"] = rows.calibration.size();
  r["eval_rows"] = rows.evaluation.size();
  const nlohmann::ordered_json before_bytes = bytes_by_role(reference), after_bytes = bytes_by_role(result.model);
  r["bytes"] = {{"float32", before_bytes}, {"int8", after_bytes}};
  r["weight_ratio"] = before_bytes["weights"].get<double>() / after_bytes["weights"].get<double>();
  r["weight_bytes_before"] = reference.constant_bytes();
  r["weight_bytes_after"] = result.model.constant_bytes();
  r["ratio"] = static_cast<double>(reference.constant_bytes()) / static_cast<double>(result.model.constant_bytes());
  if (rows.evaluation.size() > 0) {
    const nlohmann::ordered_json before = metrics_of(model.metadata, rows.evaluation, model.predict(rows.evaluation.features));
    ReferenceEngine engine(result.model);
    const nlohmann::ordered_json after =
        metrics_of(model.metadata, rows.evaluation, engine.predict(rows.evaluation.features));
    r["before"] = before;
    r["after"] = after;
    r["drop"] = model.metadata.task == Task::kClassification
                    ? 100 * (before["accuracy"].get<double>() - after["accuracy"].get<double>())
                    : after["rmse"].get<double>() - before["rmse"].get<double>();
  }
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (const LayerError& e : layer_errors(reference, result.model, rows.calibration.features)) {
    layers.push_back({{"op", e.op}, {"sqnr_db", std::isfinite(e.sqnr_db) ? nlohmann::ordered_json(e.sqnr_db) : nlohmann::ordered_json("inf")}});
  }
  r["layers"] = layers;
  result.model.metadata.provenance["quantization"]["source_model_sha256"] = sha256_file_hex(config.model);
  if (!config.out.empty()) {
    const std::string bytes = serialize_deploy_model(result.model);
    write_file_atomic(config.out, bytes);
    r["model"] = config.out;
    r["file_bytes"] = bytes.size();
  }
  return result;
}

}  // namespace tinymlops

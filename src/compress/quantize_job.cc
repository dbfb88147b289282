#include "tinymlops/compress/quantize_job.h"

#include "job_support.h"

#include <algorithm>
#include <cmath>

#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/core/hash.h"
#include "tinymlops/core/rng.h"
#include "tinymlops/data/split.h"
#include "tinymlops/nn/metrics.h"
#include "tinymlops/nn/model_file.h"
#include "tinymlops/runtime/engine.h"
#include "tinymlops/runtime/lower.h"
#include "tinymlops/compress/mixed_precision.h"
#include "tinymlops/compress/qat.h"
#include "tinymlops/compress/weight_only.h"

namespace tinymlops {

namespace {


// Bytes of the constants by role (weights, biases, tables).
ConstantBytes bytes_by_role(const DeployModel& model) {
  ConstantBytes bytes;
  for (const DeployOp& op : model.ops) {
    if (op.inputs.size() < 3) continue;
    bytes.weights += static_cast<int64_t>(model.tensors[static_cast<size_t>(op.inputs[1])].data.size());
    bytes.biases += static_cast<int64_t>(model.tensors[static_cast<size_t>(op.inputs[2])].data.size());
  }
  for (const DeployOp& op : model.ops) {
    if (op.kind == OpKind::kLookup) {
      const bool int16 = model.tensors[static_cast<size_t>(op.output)].dtype == DType::kInt16;
      bytes.tables += int16 ? 513 * 2 : 256;  // kernels/tml_activation.h
    }
    if (op.inputs.size() == 4) {
      bytes.codebooks += static_cast<int64_t>(model.tensors[static_cast<size_t>(op.inputs[3])].data.size());
    }
  }
  return bytes;
}

nlohmann::ordered_json bytes_json(const ConstantBytes& b) {
  return {{"weights", b.weights}, {"biases", b.biases}, {"tables", b.tables}, {"codebooks", b.codebooks}};
}

}  // namespace

int parse_activation_bits(const std::string& name) {
  if (name == "int8") return 8;
  if (name == "int16") return 16;
  throw Error(ErrorKind::kUsage, "--activations", "unknown activation type '" + name + "' (known: int8, int16)");
}

QuantizeResult run_quantize(const QuantizeConfig& config, Progress& progress) {
  Model model = load_model(config.model);
  return quantize_trained(model, sha256_file_hex(config.model), config, progress);
}

QuantizeResult quantize_trained(Model& model, const std::string& source_sha256, const QuantizeConfig& config,
                                Progress& progress) {
  if (config.bits == 16) {  // the CLI contract's --bits 16: int16x8, i.e. int16 activations, int8 weights
    QuantizeConfig int16x8 = config;
    int16x8.bits = 8;
    int16x8.activation_bits = 16;
    return quantize_trained(model, source_sha256, int16x8, progress);
  }
  if (config.method != "ptq" && config.method != "qat" && config.method != "fp16" && config.method != "dynamic") {
    throw Error(ErrorKind::kUsage, "--method",
                "unknown method '" + config.method + "' (known: ptq, qat, fp16, dynamic)");
  }
  const bool weight_only = config.method == "fp16" || config.method == "dynamic";
  if (weight_only && (config.bits != 8 || config.budget_bytes > 0)) {
    throw Error(ErrorKind::kUsage, "--method", config.method + " fixes the weight format; leave --bits and --budget out");
  }
  if (config.bits != 8 && config.bits != 4) {
    throw Error(ErrorKind::kUsage, "--bits", std::to_string(config.bits) + " bits is not supported (supported: 4, 8, 16)");
  }
  if (config.activation_bits != 8 && config.activation_bits != 16) {
    throw Error(ErrorKind::kUsage, "--activations", "int" + std::to_string(config.activation_bits) +
                                                        " activations are not supported (supported: int8, int16)");
  }
  // With --budget, int16 makes int16x8 a candidate of the mixed-precision search.
  if (config.activation_bits == 16 && (config.method != "ptq" || config.bits != 8)) {
    throw Error(ErrorKind::kUsage, "--activations", "int16 activations (int16x8) go with --method ptq and 8-bit weights");
  }
  if (config.qat_recalibrate && config.method != "qat") {
    throw Error(ErrorKind::kUsage, "--recalibrate", "goes with --method qat (ptq always calibrates)");
  }
  if (config.budget_bytes < 0) throw Error(ErrorKind::kUsage, "--budget", "must be a positive number of bytes");
  if (config.budget_bytes > 0 && config.bits != 8) {
    throw Error(ErrorKind::kUsage, "--budget", "chooses the bits per layer itself; leave --bits out");
  }
  if (config.epochs < 1 && config.method == "qat") throw Error(ErrorKind::kUsage, "--epochs", "must be at least 1");
  if (config.calibration_samples < 1) {
    throw Error(ErrorKind::kUsage, "--calibration-samples", "must be at least 1");
  }
  if (config.data.empty()) throw Error(ErrorKind::kUsage, "--data", "quantize needs data to calibrate on");
  if (!config.label.empty() && config.label != model.metadata.label_name) {
    throw Error(ErrorKind::kUsage, "--label", "the model was trained on label '" + model.metadata.label_name +
                                                  "', not '" + config.label + "'");
  }
  HeldOutRows rows = held_out_rows(model, config.data, config.drop_bad_rows, config.calibration_samples);
  if (rows.sample.size() == 0) throw Error(ErrorKind::kInvalid, config.data, "no rows to calibrate on");
  progress.message("calibrating on " + std::to_string(rows.sample.size()) + " training rows of " + rows.split);

  const DeployModel reference = lower_model(model);
  DeployModel source = reference;  // the float model that gets quantized
  PtqOptions ptq = config.ptq;
  ptq.weight_bits = config.bits;
  ptq.activation_bits = config.activation_bits;
  if (config.method == "qat") {
    Model tuned = parse_model(serialize_model(model), "model");  // QAT fine-tunes a copy
    QatOptions qat;
    qat.weight_bits = config.bits;
    qat.fine_tune = fine_tune_options(model, config.epochs, config.learning_rate);
    progress.message("quantization-aware training for " + std::to_string(config.epochs) + " epochs on " +
                     std::to_string(rows.train.size()) + " training rows");
    LayerRanges trained_ranges;
    quantization_aware_training(tuned, qat, rows.train, &progress, &trained_ranges);
    std::vector<size_t> op_layers;
    source = lower_model(tuned, &op_layers);
    if (!config.qat_recalibrate) ptq.op_output_ranges = op_ranges(op_layers, trained_ranges);
  }
  QuantizeResult result;
  std::vector<LayerPrecision> precision;
  if (weight_only) {
    result.model = compress_weights_only(source, config.method == "fp16" ? DType::kFloat16 : DType::kInt8);
  } else if (config.budget_bytes > 0) {
    result.model = mixed_precision(source, rows.sample, config.budget_bytes, ptq, &precision);
  } else {
    result.model = quantize_int8(source, rows.sample.features, ptq);
  }
  if (config.method == "qat") {
    result.model.metadata.provenance["quantization"]["method"] = "qat";
    result.model.metadata.provenance["quantization"]["qat_epochs"] = config.epochs;
    result.model.metadata.provenance["quantization"]["qat_lr"] = config.learning_rate;
    result.model.metadata.provenance["quantization"]["qat_ranges"] = config.qat_recalibrate ? "calibrated" : "trained";
  }
  QuantizeReport& r = result.report;
  r.method = config.method;
  r.bits = config.bits;
  r.activations = weight_only ? "float32" : (result.model.variant == "int16x8" ? "int16" : "int8");
  r.variant = result.model.variant;
  r.calibration = calibration_name(config.ptq.calibration);
  if (config.method == "qat") r.activation_ranges = config.qat_recalibrate ? "calibrated" : "trained";
  r.budget_bytes = config.budget_bytes;
  r.precision = precision;
  r.per_channel = config.ptq.per_channel;
  r.split = rows.split;
  r.calibration_rows = rows.sample.size();
  r.eval_rows = rows.evaluation.size();
  r.float32_bytes = bytes_by_role(reference);
  r.quantized_bytes = bytes_by_role(result.model);
  r.weight_ratio = static_cast<double>(r.float32_bytes.weights) / static_cast<double>(r.quantized_bytes.weights);
  r.weight_bytes_before = reference.constant_bytes();
  r.weight_bytes_after = result.model.constant_bytes();
  r.ratio = static_cast<double>(r.weight_bytes_before) / static_cast<double>(r.weight_bytes_after);
  if (rows.evaluation.size() > 0) {
    r.before = task_metrics(model.metadata, rows.evaluation, model.predict(rows.evaluation.features));
    ReferenceEngine engine(result.model);
    r.after = task_metrics(model.metadata, rows.evaluation, engine.predict(rows.evaluation.features));
    r.drop = metric_drop(model.metadata, r.before, r.after);
  }
  r.layers = layer_errors(reference, result.model, rows.sample.features);
  result.model.metadata.provenance["quantization"]["source_model_sha256"] = source_sha256;
  if (!config.out.empty()) {
    const std::string bytes = serialize_deploy_model(result.model);
    write_file_atomic(config.out, bytes);
    r.model = config.out;
    r.file_bytes = bytes.size();
  }
  return result;
}

nlohmann::ordered_json to_json(const QuantizeReport& r) {
  nlohmann::ordered_json j;
  j["method"] = r.method;
  j["bits"] = r.bits;
  j["activations"] = r.activations;
  j["variant"] = r.variant;
  j["calibration"] = r.calibration;
  if (!r.activation_ranges.empty()) j["activation_ranges"] = r.activation_ranges;
  if (r.budget_bytes > 0) {
    j["budget_bytes"] = r.budget_bytes;
    nlohmann::ordered_json precision = nlohmann::ordered_json::array();
    for (const LayerPrecision& p : r.precision) {
      precision.push_back({{"op", p.op}, {"widths", p.widths}, {"sensitivity", p.sensitivity}, {"bits", p.bits}});
    }
    j["precision"] = precision;
  }
  j["per_channel"] = r.per_channel;
  j["split"] = r.split;
  j["calibration_rows"] = r.calibration_rows;
  j["eval_rows"] = r.eval_rows;
  j["bytes"] = {{"float32", bytes_json(r.float32_bytes)}, {"quantized", bytes_json(r.quantized_bytes)}};
  j["weight_ratio"] = r.weight_ratio;
  j["weight_bytes_before"] = r.weight_bytes_before;
  j["weight_bytes_after"] = r.weight_bytes_after;
  j["ratio"] = r.ratio;
  if (r.eval_rows > 0) {
    j["before"] = r.before;
    j["after"] = r.after;
    j["drop"] = r.drop;
  }
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (const LayerError& e : r.layers) {
    layers.push_back({{"op", e.op},
                      {"sqnr_db", std::isfinite(e.sqnr_db) ? nlohmann::ordered_json(e.sqnr_db) : nlohmann::ordered_json("inf")}});
  }
  j["layers"] = layers;
  if (!r.model.empty()) {
    j["model"] = r.model;
    j["file_bytes"] = r.file_bytes;
  }
  return j;
}

}  // namespace tinymlops

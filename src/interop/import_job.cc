#include "tinymlops/interop/import_job.h"

#include <filesystem>

#include "tinymlops/core/error.h"
#include "tinymlops/core/hash.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/interop/keras_import.h"
#include "tinymlops/interop/onnx_import.h"
#include "tinymlops/nn/model_file.h"

namespace tinymlops {

namespace {

void apply_overrides(Model& model, const ImportConfig& config) {
  ModelMetadata& meta = model.metadata;
  if (!config.feature_names.empty()) {
    if (int64_t(config.feature_names.size()) != model.input_shape().size()) {
      throw Error(ErrorKind::kUsage, "--features",
                  std::to_string(config.feature_names.size()) + " names given, the model takes " +
                      std::to_string(model.input_shape().size()) + " inputs");
    }
    meta.feature_names = config.feature_names;
  }
  if (config.regression && !config.class_names.empty()) {
    throw Error(ErrorKind::kUsage, "--regression", "contradicts --classes");
  }
  if (config.regression) meta.task = Task::kRegression, meta.class_names.clear();
  if (!config.class_names.empty()) {
    if (int64_t(config.class_names.size()) != model.output_shape().size()) {
      throw Error(ErrorKind::kUsage, "--classes",
                  std::to_string(config.class_names.size()) + " names given, the model has " +
                      std::to_string(model.output_shape().size()) + " outputs");
    }
    meta.task = Task::kClassification;
    meta.class_names = config.class_names;
  }
  if (!config.label.empty()) meta.label_name = config.label;
}

}  // namespace

ImportResult run_import(const ImportConfig& config) {
  const std::filesystem::path path(config.input);
  const std::string ext = path.extension().string();
  std::string format;
  ImportResult result;
  if (ext == ".onnx") {
    format = "onnx";
    result.model = load_onnx(path);
  } else if (ext == ".keras" || ext == ".h5" || ext == ".hdf5") {
    format = ext == ".keras" ? "keras" : "keras-h5";
    result.model = load_keras(path);
  } else {
    throw Error(ErrorKind::kUsage, config.input, "unknown model format '" + ext + "' (.onnx, .keras or .h5)");
  }
  Model& model = result.model;
  apply_overrides(model, config);
  model.metadata.provenance["source_sha256"] = sha256_file_hex(path);
  const ModelMetadata& meta = model.metadata;
  ImportReport& r = result.report;
  r.source = config.input;
  r.format = format;
  r.input_shape = model.input_shape().to_string();
  r.output_shape = model.output_shape().to_string();
  r.layers = model.num_layers();
  r.params = model.trainable_parameter_count();
  r.task = task_name(meta.task);
  r.features = meta.feature_names.size();
  r.label = meta.label_name;
  r.classes = meta.class_names;
  r.normalization = normalization_name(meta.normalization.kind);
  if (!config.out.empty()) {
    save_model(model, config.out);
    r.model = config.out;
    r.file_bytes = static_cast<size_t>(std::filesystem::file_size(config.out));
  }
  return result;
}

nlohmann::ordered_json to_json(const ImportReport& r) {
  nlohmann::ordered_json j;
  j["source"] = r.source;
  j["format"] = r.format;
  j["input_shape"] = r.input_shape;
  j["output_shape"] = r.output_shape;
  j["layers"] = r.layers;
  j["params"] = r.params;
  j["task"] = r.task;
  j["features"] = r.features;
  j["label"] = r.label;
  j["classes"] = r.classes;
  j["normalization"] = r.normalization;
  if (!r.model.empty()) {
    j["model"] = r.model;
    j["file_bytes"] = r.file_bytes;
  }
  return j;
}

}  // namespace tinymlops

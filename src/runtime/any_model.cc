#include "tinymlops/runtime/any_model.h"

#include <memory>

#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/nn/inspect_job.h"
#include "tinymlops/nn/model_file.h"
#include "tinymlops/runtime/engine.h"
#include "tinymlops/runtime/lower.h"

namespace tinymlops {

nlohmann::ordered_json describe_deploy_model(const DeployModel& model) {
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  int64_t params = 0;
  for (size_t i = 0; i < model.ops.size(); ++i) {
    const DeployOp& op = model.ops[i];
    const DeployTensor& y = model.tensors[static_cast<size_t>(op.output)];
    int64_t op_params = 0;
    for (size_t k = 1; k < op.inputs.size(); ++k) op_params += model.tensors[static_cast<size_t>(op.inputs[k])].size();
    params += op_params;
    nlohmann::ordered_json config = {{"dtype", dtype_name(y.dtype)}};
    if (op.activation != DeployActivation::kLinear) config["activation"] = deploy_activation_name(op.activation);
    layers.push_back({{"index", i},
                      {"kind", op_kind_name(op.kind)},
                      {"config", config},
                      {"output_shape", y.shape},
                      {"params", op_params},
                      {"macs", model.op_macs(i)}});
  }
  const ModelMetadata& meta = model.metadata;
  return {{"task", task_name(meta.task)},
          {"variant", model.variant},
          {"input_shape", model.tensors[static_cast<size_t>(model.input)].shape},
          {"output_shape", model.tensors[static_cast<size_t>(model.output)].shape},
          {"features", meta.feature_names.size()},
          {"label", meta.label_name},
          {"classes", meta.class_names},
          {"normalization", normalization_name(meta.normalization.kind)},
          {"window", {{"size", meta.window.window}, {"stride", meta.window.stride}}},
          {"layers", layers},
          {"params", params},
          {"parameters", params},
          {"weight_bytes", model.constant_bytes()},
          {"macs", model.macs()},
          {"provenance", meta.provenance}};
}

LoadedModel load_any_model(const std::filesystem::path& path) { return load_any_model_bytes(read_file(path), path.string()); }

LoadedModel load_any_model_bytes(const std::string& bytes, const std::string& source) {
  LoadedModel loaded;
  if (bytes.rfind("TMLDEPLY", 0) == 0) {
    auto model = std::make_shared<DeployModel>(parse_deploy_model(bytes, source));
    auto engine = std::make_shared<ReferenceEngine>(*model);
    loaded.metadata = model->metadata;
    loaded.description = describe_deploy_model(*model);
    loaded.predict = [model, engine](const Matrix& x) { return engine->predict(x); };
    return loaded;
  }
  auto model = std::make_shared<Model>(parse_model(bytes, source));
  loaded.metadata = model->metadata;
  loaded.description = describe_model(*model);
  loaded.predict = [model](const Matrix& x) { return model->predict(x); };
  return loaded;
}

DeployModel load_as_deploy_model(const std::filesystem::path& path) {
  const std::string bytes = read_file(path);
  if (bytes.rfind("TMLDEPLY", 0) == 0) return parse_deploy_model(bytes, path.string());
  Model model = parse_model(bytes, path.string());
  return lower_model(model);
}

}  // namespace tinymlops

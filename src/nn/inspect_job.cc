#include "tinymlops/nn/inspect_job.h"

namespace tinymlops {

nlohmann::ordered_json describe_model(Model& model) {
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (size_t i = 0; i < model.num_layers(); ++i) {
    Layer& layer = model.layer(i);
    int64_t params = 0;
    for (Param* p : layer.params()) params += p->trainable ? p->value.size() : 0;
    layers.push_back({{"index", i},
                      {"kind", layer_kind_name(layer.kind())},
                      {"config", layer.config()},
                      {"output_shape", layer.output_shape().dims},
                      {"params", params},
                      {"macs", layer.macs()}});
  }
  const ModelMetadata& meta = model.metadata;
  return {{"task", task_name(meta.task)},
          {"input_shape", model.input_shape().dims},
          {"output_shape", model.output_shape().dims},
          {"features", meta.feature_names.size()},
          {"label", meta.label_name},
          {"classes", meta.class_names},
          {"normalization", normalization_name(meta.normalization.kind)},
          {"window", {{"size", meta.window.window}, {"stride", meta.window.stride}}},
          {"layers", layers},
          {"params", model.trainable_parameter_count()},
          {"parameters", model.parameter_count()},
          {"weight_bytes", model.parameter_count() * 4},
          {"macs", model.macs()},
          {"provenance", meta.provenance}};
}

}  // namespace tinymlops

#include "interop/model_assembly.h"

#include "tinymlops/core/error.h"
#include "tinymlops/nn/layers.h"

namespace tinymlops::interop {

void ModelAssembly::add(std::unique_ptr<Layer> layer, std::vector<std::vector<float>> values, std::string origin) {
  layers_.push_back({std::move(layer), std::move(values), std::move(origin)});
}

Model ModelAssembly::finish(const Shape& input, const std::string& source) {
  Model model(input);
  std::vector<Pending> pending = std::move(layers_);
  layers_.clear();
  std::vector<std::string> origins;
  std::vector<std::vector<std::vector<float>>> values;
  for (Pending& p : pending) {
    origins.push_back(p.origin);
    values.push_back(std::move(p.values));
    model.add(std::move(p.layer));
  }
  try {
    model.build(Initializer::kGlorotUniform, 0);
  } catch (const Error& e) {
    // The location is "layers[i] (kind)"; name the imported node instead.
    std::string where = e.location();
    size_t index = 0;
    if (std::sscanf(where.c_str(), "layers[%zu]", &index) == 1 && index < origins.size()) where = origins[index];
    throw Error(ErrorKind::kInvalid, source, where + ": " + e.message());
  }
  for (size_t i = 0; i < model.num_layers(); ++i) {
    std::vector<Param*> params = model.layer(i).params();
    if (params.size() != values[i].size()) {
      throw Error(ErrorKind::kInvalid, source,
                  origins[i] + ": " + std::to_string(values[i].size()) + " tensors given, the layer has " +
                      std::to_string(params.size()));
    }
    for (size_t k = 0; k < params.size(); ++k) {
      const std::vector<float>& v = values[i][k];
      if (static_cast<Eigen::Index>(v.size()) != params[k]->value.size()) {
        throw Error(ErrorKind::kInvalid, source,
                    origins[i] + ": tensor '" + params[k]->name + "' has " + std::to_string(v.size()) +
                        " values, the layer needs " + std::to_string(params[k]->value.size()));
      }
      for (size_t j = 0; j < v.size(); ++j) params[k]->value[static_cast<Eigen::Index>(j)] = v[j];
    }
  }
  return model;
}

void set_default_metadata(Model& model) {
  ModelMetadata& meta = model.metadata;
  meta.feature_names.clear();
  for (int64_t i = 0; i < model.input_shape().size(); ++i) meta.feature_names.push_back("x" + std::to_string(i));
  const int64_t outputs = model.output_shape().size();
  bool softmax = false;
  if (model.num_layers() > 0 && model.layer(model.num_layers() - 1).kind() == LayerKind::kActivation) {
    const auto& last = static_cast<const Activation&>(model.layer(model.num_layers() - 1));
    softmax = last.function() == ActivationKind::kSoftmax;
  }
  meta.class_names.clear();
  if (softmax) {
    meta.task = Task::kClassification;
    meta.label_name = "label";
    for (int64_t k = 0; k < outputs; ++k) meta.class_names.push_back(std::to_string(k));
  } else {
    meta.task = Task::kRegression;
    meta.label_name = "target";
  }
  meta.normalization = Normalization{};
}

}  // namespace tinymlops::interop

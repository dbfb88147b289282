// Small built (untrained) models with every tensor randomized, for the runtime
// tests: lowering must reproduce Model::predict for each.
#pragma once

#include <string>

#include "tinymlops/core/rng.h"
#include "tinymlops/nn/layer_spec.h"
#include "tinymlops/nn/model.h"

namespace tinymlops::testing {

// A model of `layers` (layer_spec.h syntax) on `input`, with random weights,
// biases and batch-norm statistics (variances positive), feature names
// f0..fN-1, standard normalization with random offsets/scales, classes c0..
// when the output has more than one value.
inline Model random_model(const Shape& input, const std::string& layers, uint64_t seed) {
  Model model(input);
  add_layers(model, parse_layer_specs(layers));
  model.build(Initializer::kGlorotUniform, seed);
  Rng rng(seed + 1);
  for (Param* p : model.params()) {
    for (float& v : p->value) v = p->name == "running_var" ? rng.uniform(0.5f, 2.0f) : rng.uniform(-1.0f, 1.0f);
  }
  for (int64_t i = 0; i < input.size(); ++i) model.metadata.feature_names.push_back("f" + std::to_string(i));
  const int64_t outputs = model.output_shape().size();
  for (int64_t i = 0; outputs > 1 && i < outputs; ++i) model.metadata.class_names.push_back("c" + std::to_string(i));
  model.metadata.label_name = "y";
  model.metadata.normalization.kind = NormalizationKind::kStandard;
  model.metadata.normalization.offset = Eigen::VectorXf::Random(input.size());
  model.metadata.normalization.scale = Eigen::VectorXf::Constant(input.size(), 0.5f);
  return model;
}

inline Matrix random_inputs(int rows, int64_t columns, uint64_t seed) {
  Rng rng(seed);
  Matrix x(rows, columns);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform(-2.0f, 2.0f);
  return x;
}

}  // namespace tinymlops::testing

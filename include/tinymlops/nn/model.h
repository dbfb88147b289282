// A Sequential model: an input shape, layers in order, and the metadata that
// travels with a trained model (task, feature and class names, normalization,
// provenance).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tinymlops/data/normalize.h"
#include "tinymlops/data/window.h"
#include "tinymlops/nn/layer.h"

namespace tinymlops {

struct ModelMetadata {
  Task task = Task::kClassification;
  std::vector<std::string> feature_names;  // raw input columns, in order
  std::string label_name;
  std::vector<std::string> class_names;    // classification: output index -> name
  Normalization normalization;             // applied to model inputs before layer 0
  // Time series: one sample is `window.window` consecutive rows of the raw
  // features (make_windows); 0 means one row is one sample. The model input,
  // and the normalization, then have window * features values.
  WindowOptions window{0, 1};
  // How the model was made: data file and SHA-256, training parameters, seed,
  // library version. No timestamps, so the same run gives the same bytes.
  nlohmann::json provenance = nlohmann::json::object();
};

class Model {
 public:
  Model() = default;
  explicit Model(Shape input_shape) : input_shape_(std::move(input_shape)) {}
  Model(Model&&) = default;
  Model& operator=(Model&&) = default;

  void add(std::unique_ptr<Layer> layer) { layers_.push_back(std::move(layer)); }

  // Builds every layer in order from the input shape, drawing initial weights
  // from a generator seeded with `seed`. Throws Error(kInvalid) naming
  // "layers[i] (kind)" when a layer does not fit its input.
  void build(Initializer init, uint64_t seed);

  const Shape& input_shape() const { return input_shape_; }
  Shape output_shape() const;
  size_t num_layers() const { return layers_.size(); }
  Layer& layer(size_t i) { return *layers_[i]; }
  const Layer& layer(size_t i) const { return *layers_[i]; }

  // All layers' params, in layer order then each layer's params() order.
  std::vector<Param*> params();
  int64_t trainable_parameter_count() const;
  int64_t parameter_count() const;  // including state such as BatchNorm running stats
  int64_t macs() const;             // per inference

  // Runs layers [0, end) on `input` (already normalized). `activations` gets
  // end + 1 matrices: activations[i] is the input of layer i, the last the output.
  void forward(const Matrix& input, const ForwardContext& context, size_t end,
               std::vector<Matrix>* activations);

  // Normalizes raw features and runs inference: probabilities (classification
  // with a softmax/sigmoid head) or values (regression). Processes in chunks so
  // memory stays bounded for large inputs.
  Matrix predict(const Matrix& raw_features);

  ModelMetadata metadata;

 private:
  Shape input_shape_;
  std::vector<std::unique_ptr<Layer>> layers_;
};

}  // namespace tinymlops

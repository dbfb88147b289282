// What the ONNX and Keras importers share: layers collected with the values of
// their tensors, then built into a Model; and the default metadata of an
// imported model.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tinymlops/nn/model.h"

namespace tinymlops::interop {

class ModelAssembly {
 public:
  // `values` holds one vector per params() entry of the layer, in that order,
  // in the layer's own layout (layers.h); `origin` names where the layer came
  // from in errors ("node 'fc1' (Gemm)", "layers[2] (Dense)").
  void add(std::unique_ptr<Layer> layer, std::vector<std::vector<float>> values, std::string origin);

  // Replaces the last layer (e.g. a Sigmoid that turned out to be half of a swish).
  void replace_last(std::unique_ptr<Layer> layer, std::vector<std::vector<float>> values, std::string origin) {
    layers_.back() = {std::move(layer), std::move(values), std::move(origin)};
  }

  bool empty() const { return layers_.empty(); }
  LayerKind last_kind() const { return layers_.back().layer->kind(); }
  std::vector<std::vector<float>>& last_values() { return layers_.back().values; }

  // Builds the layers on `input` and copies the values in. Throws
  // Error(kInvalid) at `source` naming the origin of a layer that does not fit
  // its input or whose values have the wrong size.
  Model finish(const Shape& input, const std::string& source);

 private:
  struct Pending {
    std::unique_ptr<Layer> layer;
    std::vector<std::vector<float>> values;
    std::string origin;
  };
  std::vector<Pending> layers_;
};

// Features "x0".."x{F-1}"; classification with classes "0".."K-1" when the last
// layer is a softmax, else regression of "target"; no normalization.
void set_default_metadata(Model& model);

}  // namespace tinymlops::interop

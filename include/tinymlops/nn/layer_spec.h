// Text descriptions of layer stacks, as given to `train --layers`.
//
//   spec   := layer ("," layer)*
//   layer  := NAME (":" arg)*
//   arg    := POSITIONAL | KEY "=" VALUE
//
// Positional arguments by layer (a positional that names an activation, e.g.
// "relu", adds that Activation layer right after the layer):
//   dense:UNITS            conv1d:FILTERS:KERNEL        conv2d:FILTERS:KxK
//   depthwise_conv2d:KxK   maxpool:P|PxP  avgpool:P|PxP  dropout:RATE
//   flatten  global_avgpool  batchnorm   and any activation name alone (relu, ...)
// Keys: stride=S|SxS, padding=valid|same, multiplier=M, momentum=, epsilon=, alpha=
//
// Example: "conv2d:8:3x3:relu,maxpool:2,flatten,dense:32:relu,dropout:0.1"
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tinymlops/nn/model.h"

namespace tinymlops {

struct LayerSpec {
  LayerKind kind;
  nlohmann::json config;  // as accepted by make_layer
};

// Throws Error(kParse) with location "--layers" and the offending item.
std::vector<LayerSpec> parse_layer_specs(const std::string& text);

// Dense layers of the given sizes, each followed by ReLU.
std::vector<LayerSpec> hidden_dense_specs(const std::vector<int>& sizes);

// Appends the instantiated layers to `model` (unbuilt).
void add_layers(Model& model, const std::vector<LayerSpec>& specs);

}  // namespace tinymlops

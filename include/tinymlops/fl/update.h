// The vocabulary of federated learning (docs/federated.md).
//
// The server and the clients exchange a model's parameters as one flat float
// vector: every tensor of Model::params() (trainable weights and saved state such
// as BatchNorm running statistics), in that order, each flattened as stored. All
// parties build the same architecture, so the flat vector's layout is known to
// each of them; Layout names where every tensor sits (per-tensor int8 scales and
// per-tensor statistics use it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tinymlops/nn/model.h"

namespace tinymlops::fl {

using Weights = std::vector<float>;

// One tensor of the flat vector: values [offset, offset + size).
struct TensorSlice {
  std::string name;  // "layers[0].weights"
  size_t offset = 0;
  size_t size = 0;
};
using Layout = std::vector<TensorSlice>;

// The layout of `model`'s parameters (the model must be built).
Layout layout_of(Model& model);
size_t layout_size(const Layout& layout);  // total values

// The model's parameters as one flat vector, in layout_of order.
Weights flatten_params(Model& model);

// Copies `flat` into the model's parameters. Throws Error(kInvalid) when the
// size differs from the model's parameter count; the model is then unchanged.
void assign_params(Model& model, const Weights& flat);

// What one client sends back after local training on its own rows.
struct ClientUpdate {
  std::string client;  // the client's id
  Weights delta;       // local weights minus the global weights the round started from
  int64_t samples = 0; // training rows used; the FedAvg weight; > 0
  double train_loss = 0;  // mean loss of the client's last local epoch
};

// L2 norm of `values`, accumulated in double.
double l2_norm(const Weights& values);

}  // namespace tinymlops::fl

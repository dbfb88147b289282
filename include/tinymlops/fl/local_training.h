// A client's part of a round: train the global model on the client's own rows
// and report the change (docs/federated-algorithms.md).
//
//   assign_params(model, global);                 // the round's global weights
//   LocalTrainConfig config;                      // 1 epoch of plain SGD, lr 0.05
//   config.proximal_mu = 0.01;                    // FedProx
//   ClientUpdate update = train_locally(model, my_rows, config, "client-7");
//   // update.delta = local - global; update.samples = my_rows.size()
//
// Local training is nn's train_model (nn/trainer.h) with the loss chosen from the
// task; the same model, data, config and seed give the same delta, bit for bit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "tinymlops/data/dataset.h"
#include "tinymlops/fl/update.h"
#include "tinymlops/nn/loss.h"
#include "tinymlops/nn/model.h"
#include "tinymlops/nn/optimizer.h"

namespace tinymlops::fl {

struct LocalTrainConfig {
  int epochs = 1;
  int batch_size = 32;
  float learning_rate = 0.05f;
  // Plain SGD by default: FedAvg and FedProx are defined over client SGD
  // (McMahan et al. 2017; Li et al. 2020), and an adaptive client optimizer's
  // moments would restart from zero every round anyway.
  OptimizerConfig optimizer{.kind = OptimizerKind::kSgd};
  // > 0: FedProx (Li et al. 2020): mu/2 * ||w - w_global||^2 is added to the
  // loss, i.e. mu * (w - w_global) to every trainable parameter's gradient.
  double proximal_mu = 0;
  uint64_t seed = 0;
  // Unset: cross_entropy for classification, mse for regression.
  std::optional<LossKind> loss;
};

// Trains `model` (holding the round's global weights; it ends holding the local
// ones) on `data`, and returns delta = local - global (every tensor of
// flatten_params, BatchNorm statistics included), samples = data.size(), and
// train_loss = the data loss of the last epoch (without the proximal term).
// Throws what train_model throws (Error(kInvalid) for empty data, Error(kUsage)
// for a model that does not fit the loss), Error(kUsage) for a negative or
// non-finite mu, and Error(kInvalid) naming `client` when training diverged to
// non-finite weights (such a delta must not be sent).
ClientUpdate train_locally(Model& model, const Dataset& data, const LocalTrainConfig& config,
                           const std::string& client);

}  // namespace tinymlops::fl

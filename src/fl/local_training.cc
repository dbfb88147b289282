#include "tinymlops/fl/local_training.h"

#include <cmath>

#include "tinymlops/core/error.h"
#include "tinymlops/nn/trainer.h"

namespace tinymlops::fl {

ClientUpdate train_locally(Model& model, const Dataset& data, const LocalTrainConfig& config,
                           const std::string& client) {
  if (!(config.proximal_mu >= 0) || !std::isfinite(config.proximal_mu)) {
    throw Error(ErrorKind::kUsage, client, "the proximal mu must be >= 0");
  }
  const Weights global = flatten_params(model);

  TrainOptions options;
  options.epochs = config.epochs;
  options.batch_size = config.batch_size;
  options.learning_rate = config.learning_rate;
  options.optimizer = config.optimizer;
  options.seed = config.seed;
  options.loss = config.loss ? *config.loss
                             : (data.task == Task::kClassification ? LossKind::kCrossEntropy : LossKind::kMse);

  // FedProx: grad += mu * (w - w_global) on every trainable parameter, after
  // backward and before the optimizer step.
  const std::vector<Param*> params = model.params();
  std::vector<Eigen::VectorXf> anchor;
  if (config.proximal_mu > 0) {
    for (const Param* p : params) anchor.push_back(p->value);
    const auto mu = static_cast<float>(config.proximal_mu);
    options.before_update = [&params, &anchor, mu] {
      for (size_t i = 0; i < params.size(); ++i) {
        if (params[i]->trainable) params[i]->grad += mu * (params[i]->value - anchor[i]);
      }
    };
  }

  const TrainHistory history = train_model(model, data, nullptr, options, nullptr);

  ClientUpdate update;
  update.client = client;
  update.delta = flatten_params(model);
  for (size_t j = 0; j < update.delta.size(); ++j) {
    update.delta[j] -= global[j];
    if (!std::isfinite(update.delta[j])) {
      throw Error(ErrorKind::kInvalid, client, "local training diverged: parameter " + std::to_string(j) +
                                                   " is not finite (lower the learning rate)");
    }
  }
  update.samples = static_cast<int64_t>(data.size());
  update.train_loss = history.epochs.back().train_loss;
  return update;
}

}  // namespace tinymlops::fl

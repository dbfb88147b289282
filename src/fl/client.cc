#include "tinymlops/fl/client.h"

#include "tinymlops/core/error.h"
#include "tinymlops/core/hash.h"
#include "tinymlops/core/rng.h"
#include "tinymlops/fl/local_training.h"
#include "tinymlops/fl/privacy.h"
#include "tinymlops/nn/model_file.h"

namespace tinymlops::fl {

ClientWorker::ClientWorker(std::string client_id, Dataset data) : id_(std::move(client_id)), data_(std::move(data)) {}

ClientUpdate ClientWorker::train_update(const RoundTask& task, std::string_view model_bytes) {
  if (to_hex(sha256(model_bytes)) != task.model_sha256) {
    throw Error(ErrorKind::kInvalid, "global model", "SHA-256 differs from the round's (the model changed mid-round)");
  }
  Model model = parse_model(model_bytes, "global model");
  ClientUpdate update = train_locally(model, data_, task.local, id_);
  if (task.dp) {
    Rng noise(task.local.seed ^ 0xD1FFu);
    privatize_update(update.delta, task.dp_config, task.clients_per_round, noise);
  }
  return update;
}

std::string ClientWorker::make_update(const RoundTask& task, std::string_view model_bytes) {
  ClientUpdate update = train_update(task, model_bytes);
  UpdateMessage message;
  message.round = task.round;
  message.encoding = task.encoding;
  message.samples = update.samples;
  message.train_loss = update.train_loss;
  Model model = parse_model(model_bytes, "global model");
  message.payload = feedback_.encode(update.delta, layout_of(model), task.encoding);
  return serialize_update(message);
}

}  // namespace tinymlops::fl

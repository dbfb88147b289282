// The client side of a round, transport-free: the HTTP client (fl/http_transport.h)
// and the simulator's virtual clients both make their updates here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tinymlops/data/dataset.h"
#include "tinymlops/fl/protocol.h"
#include "tinymlops/fl/update_codec.h"

namespace tinymlops::fl {

class ClientWorker {
 public:
  // `data` holds the client's own rows, with the model's feature columns and
  // classes (load_for_model in nn/evaluate_job.h).
  ClientWorker(std::string client_id, Dataset data);

  // Trains from the global model file `model_bytes` as `task` says (local epochs,
  // FedProx term), privatizes the delta when task.dp, encodes it (int8 with error
  // feedback across rounds) and returns the UpdateMessage bytes. Throws
  // Error(kInvalid) when the model's SHA-256 is not task.model_sha256.
  std::string make_update(const RoundTask& task, std::string_view model_bytes);

  // The same training and privatization, returning the update itself (for
  // secure aggregation, which masks the delta instead of encoding it).
  ClientUpdate train_update(const RoundTask& task, std::string_view model_bytes);

  const std::string& id() const { return id_; }
  size_t rows() const { return data_.size(); }

 private:
  std::string id_;
  Dataset data_;
  ErrorFeedbackEncoder feedback_;
};

}  // namespace tinymlops::fl

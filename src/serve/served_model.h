// One loaded model version as the server holds it: the snapshot's bytes, the
// metadata, and a pool of predictors. A Model or a ReferenceEngine keeps per-call
// state, so each request running at the same time borrows its own predictor; the
// pool grows to the number of concurrent requests (which the server bounds).
#pragma once

#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "tinymlops/runtime/any_model.h"
#include "tinymlops/serve/model_source.h"

namespace tinymlops::serve {

class ServedModel {
 public:
  // Loads the snapshot once (throws the loader's Error naming snapshot.origin).
  explicit ServedModel(ModelSnapshot snapshot);

  const ModelMetadata& metadata() const { return metadata_; }
  const ModelSnapshot& snapshot() const { return snapshot_; }
  // Values per input row: features, times the window length for time series models.
  size_t width() const { return width_; }
  // Model outputs for raw feature rows (rows x width()). Safe from any thread.
  Matrix predict(const Matrix& rows);
  // GET /v1/model's body (without server-side fields such as "reloads").
  nlohmann::ordered_json info() const;

 private:
  ModelSnapshot snapshot_;
  ModelMetadata metadata_;
  nlohmann::ordered_json description_;
  size_t width_ = 0;
  std::mutex mutex_;
  std::vector<Predictor> idle_;  // guarded by mutex_
};

}  // namespace tinymlops::serve

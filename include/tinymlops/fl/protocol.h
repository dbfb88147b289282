// The federated wire protocol, version 1 (docs/federated.md, "Protocol").
//
// Transport is HTTP (fl/http_transport.h); the simulator calls the same server
// and client objects directly. Messages:
//
//   POST /v1/register   JSON {"name", "secret"}  ->  {"client_id", "token", "protocol"}
//   GET  /v1/task       -> RoundTask as JSON: what to do now (train / wait / done)
//   GET  /v1/model      -> the global model file (.tmlm bytes, docs/formats/model-file.md)
//   POST /v1/update     an UpdateMessage (binary, below) -> {"accepted": true}
//   GET  /v1/status     -> rounds so far, as JSON
//
// Every request but register carries "Authorization: Bearer <token>". Errors are
// 4xx with {"error": "..."}; a rejected update is never aggregated.
//
// UpdateMessage, all integers little-endian:
//   offset  size  field
//   0       8     magic "TMLFLUPD"
//   8       4     protocol version (1)
//   12      4     round the update was trained for
//   16      1     encoding (0 float32, 1 int8; fl/update_codec.h)
//   17      3     zero
//   20      8     samples, int64 > 0
//   28      8     train loss, float64
//   36      4     payload length P
//   40      P     the encoded delta (encode_delta)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tinymlops/fl/local_training.h"
#include "tinymlops/fl/privacy.h"
#include "tinymlops/fl/update_codec.h"

namespace tinymlops::fl {

inline constexpr uint32_t kProtocolVersion = 1;
inline constexpr size_t kUpdateHeaderBytes = 40;

struct UpdateMessage {
  uint32_t round = 0;
  UpdateEncoding encoding = UpdateEncoding::kFloat32;
  int64_t samples = 0;
  double train_loss = 0;
  std::string payload;  // encode_delta bytes
};

std::string serialize_update(const UpdateMessage& message);

// Parses and checks the envelope (magic, version, zero bytes, samples > 0, a
// finite loss, the payload length). Throws Error(kFormat) naming `source`.
UpdateMessage parse_update(std::string_view bytes, const std::string& source);

// What a client is told to do when it asks.
enum class TaskState { kTrain, kWait, kDone };

struct RoundTask {
  TaskState state = TaskState::kWait;
  uint32_t round = 0;            // the round to train for (kTrain) or in progress
  std::string model_sha256;      // of the /v1/model bytes the round starts from
  LocalTrainConfig local;        // how to train
  UpdateEncoding encoding = UpdateEncoding::kFloat32;
  bool dp = false;               // clip and noise the update (privatize_update)
  DpConfig dp_config;
  int clients_per_round = 0;     // m of privatize_update
  double deadline_seconds = 0;   // time left in the round when asked
};

nlohmann::json task_to_json(const RoundTask& task);
// Throws Error(kFormat) naming `source` on a missing or mistyped field.
RoundTask task_from_json(const nlohmann::json& json, const std::string& source);

}  // namespace tinymlops::fl

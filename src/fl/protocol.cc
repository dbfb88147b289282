#include "tinymlops/fl/protocol.h"

#include <cmath>
#include <cstring>

#include "tinymlops/core/error.h"

namespace tinymlops::fl {
namespace {

constexpr char kMagic[8] = {'T', 'M', 'L', 'F', 'L', 'U', 'P', 'D'};

template <typename T>
void put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));  // the host is little-endian (as the model file assumes)
  out.append(bytes, sizeof(T));
}

template <typename T>
T get(std::string_view bytes, size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

const char* state_name(TaskState state) {
  switch (state) {
    case TaskState::kTrain: return "train";
    case TaskState::kWait: return "wait";
    case TaskState::kDone: return "done";
  }
  return "";
}

}  // namespace

std::string serialize_update(const UpdateMessage& message) {
  std::string out(kMagic, sizeof kMagic);
  put<uint32_t>(out, kProtocolVersion);
  put<uint32_t>(out, message.round);
  put<uint8_t>(out, static_cast<uint8_t>(message.encoding));
  out.append(3, '\0');
  put<int64_t>(out, message.samples);
  put<double>(out, message.train_loss);
  put<uint32_t>(out, static_cast<uint32_t>(message.payload.size()));
  out += message.payload;
  return out;
}

UpdateMessage parse_update(std::string_view bytes, const std::string& source) {
  auto fail = [&](const std::string& why) { return Error(ErrorKind::kFormat, source, "bad update: " + why); };
  if (bytes.size() < kUpdateHeaderBytes) throw fail("only " + std::to_string(bytes.size()) + " bytes");
  if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) throw fail("not an update message (magic)");
  uint32_t version = get<uint32_t>(bytes, 8);
  if (version != kProtocolVersion) {
    throw fail("protocol version " + std::to_string(version) + "; this server speaks " + std::to_string(kProtocolVersion));
  }
  UpdateMessage message;
  message.round = get<uint32_t>(bytes, 12);
  uint8_t encoding = get<uint8_t>(bytes, 16);
  if (encoding > static_cast<uint8_t>(UpdateEncoding::kInt8)) throw fail("unknown encoding " + std::to_string(encoding));
  message.encoding = static_cast<UpdateEncoding>(encoding);
  if (bytes[17] != 0 || bytes[18] != 0 || bytes[19] != 0) throw fail("reserved bytes are not zero");
  message.samples = get<int64_t>(bytes, 20);
  if (message.samples <= 0) throw fail("samples " + std::to_string(message.samples) + " (must be > 0)");
  message.train_loss = get<double>(bytes, 28);
  if (!std::isfinite(message.train_loss)) throw fail("train loss is not finite");
  uint32_t length = get<uint32_t>(bytes, 36);
  if (length != bytes.size() - kUpdateHeaderBytes) {
    throw fail("payload length " + std::to_string(length) + " but " + std::to_string(bytes.size() - kUpdateHeaderBytes) +
               " bytes follow");
  }
  message.payload.assign(bytes.substr(kUpdateHeaderBytes));
  return message;
}

nlohmann::json task_to_json(const RoundTask& task) {
  return {{"state", state_name(task.state)},
          {"round", task.round},
          {"model_sha256", task.model_sha256},
          {"epochs", task.local.epochs},
          {"batch_size", task.local.batch_size},
          {"learning_rate", task.local.learning_rate},
          {"proximal_mu", task.local.proximal_mu},
          {"seed", task.local.seed},
          {"encoding", encoding_name(task.encoding)},
          {"dp", task.dp},
          {"dp_clip_norm", task.dp_config.clip_norm},
          {"dp_noise_multiplier", task.dp_config.noise_multiplier},
          {"clients_per_round", task.clients_per_round},
          {"deadline_seconds", task.deadline_seconds}};
}

RoundTask task_from_json(const nlohmann::json& json, const std::string& source) {
  try {
    RoundTask task;
    std::string state = json.at("state").get<std::string>();
    if (state == "train") task.state = TaskState::kTrain;
    else if (state == "wait") task.state = TaskState::kWait;
    else if (state == "done") task.state = TaskState::kDone;
    else throw Error(ErrorKind::kFormat, source, "unknown task state '" + state + "'");
    task.round = json.at("round").get<uint32_t>();
    task.model_sha256 = json.at("model_sha256").get<std::string>();
    task.local.epochs = json.at("epochs").get<int>();
    task.local.batch_size = json.at("batch_size").get<int>();
    task.local.learning_rate = json.at("learning_rate").get<float>();
    task.local.proximal_mu = json.at("proximal_mu").get<double>();
    task.local.seed = json.at("seed").get<uint64_t>();
    task.encoding = parse_encoding(json.at("encoding").get<std::string>());
    task.dp = json.at("dp").get<bool>();
    task.dp_config.clip_norm = json.at("dp_clip_norm").get<double>();
    task.dp_config.noise_multiplier = json.at("dp_noise_multiplier").get<double>();
    task.clients_per_round = json.at("clients_per_round").get<int>();
    task.deadline_seconds = json.at("deadline_seconds").get<double>();
    return task;
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::kFormat, source, std::string("bad task: ") + e.what());
  }
}

}  // namespace tinymlops::fl

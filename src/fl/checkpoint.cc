// The federated server's checkpoint: server.json as JSON, the round records in it,
// the strategy state as base64, and the file writes and reads (fl/checkpoint.h;
// byte layout in docs/formats/fl-checkpoint.md).
#include "checkpoint.h"

#include <sodium.h>

#include <cmath>
#include <exception>
#include <nlohmann/json.hpp>

#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/nn/model_file.h"

namespace tinymlops::fl::checkpoint {
namespace {

constexpr int kServerCheckpointVersion = 1;

std::string checkpoint_to_base64(const std::string& bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();  // the terminating NUL
  return out;
}

std::string checkpoint_from_base64(const std::string& text, const std::string& source) {
  std::string out(text.size(), '\0');
  size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &length, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    throw Error(ErrorKind::kFormat, source, "strategy state is not base64");
  }
  out.resize(length);
  return out;
}

// NaN (and infinity) are written as null and read back as NaN.
nlohmann::json finite_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }
double number_or_nan(const nlohmann::json& j) { return j.is_null() ? NAN : j.get<double>(); }

nlohmann::json round_record_to_json(const RoundRecord& r) {
  return {{"round", r.round},           {"counted", r.counted},
          {"sampled", r.sampled},       {"accepted", r.accepted},
          {"rejected", r.rejected},     {"dropped", r.dropped},
          {"train_loss", finite_or_null(r.train_loss)}, {"accuracy", finite_or_null(r.accuracy)},
          {"validation_loss", finite_or_null(r.validation_loss)}, {"bytes_received", r.bytes_received},
          {"epsilon", finite_or_null(r.epsilon)}, {"seconds", r.seconds}};
}

// Throws nlohmann::json::exception for a missing key or a value of the wrong type.
RoundRecord round_record_from_json(const nlohmann::json& j) {
  RoundRecord r;
  r.round = j.at("round").get<uint32_t>();
  r.counted = j.at("counted").get<bool>();
  r.sampled = j.at("sampled").get<int>();
  r.accepted = j.at("accepted").get<int>();
  r.rejected = j.at("rejected").get<int>();
  r.dropped = j.at("dropped").get<int>();
  r.train_loss = number_or_nan(j.at("train_loss"));
  r.accuracy = number_or_nan(j.at("accuracy"));
  r.validation_loss = number_or_nan(j.at("validation_loss"));
  r.bytes_received = j.at("bytes_received").get<int64_t>();
  r.epsilon = number_or_nan(j.at("epsilon"));
  r.seconds = j.at("seconds").get<double>();
  return r;
}

}  // namespace

std::filesystem::path server_json_path(const std::filesystem::path& dir) { return dir / "server.json"; }

void save(const std::filesystem::path& dir, const Contents& contents, std::string_view model_bytes,
          const std::string& model_sha256, const Strategy& strategy) {
  std::filesystem::create_directories(dir);
  // Invariant 1: the model file first, under the name of the round it ends.
  const std::string model_name = "global-" + std::to_string(contents.next_round - 1) + ".tmlm";
  write_file_atomic(dir / model_name, model_bytes);
  nlohmann::json j;
  j["version"] = kServerCheckpointVersion;
  j["next_round"] = contents.next_round;
  j["model"] = model_name;
  j["model_sha256"] = model_sha256;
  j["strategy_state"] = checkpoint_to_base64(strategy.save_state());
  j["done"] = contents.done;
  nlohmann::json clients_json = nlohmann::json::array();
  for (const Client& c : contents.clients) {
    clients_json.push_back({{"id", c.id}, {"name", c.name}, {"token_sha256", c.token_sha256}});
  }
  j["clients"] = clients_json;
  nlohmann::json rounds = nlohmann::json::array();
  for (const RoundRecord& r : contents.rounds) rounds.push_back(round_record_to_json(r));
  j["rounds"] = rounds;
  const std::string file = server_json_path(dir).string();
  std::string previous;
  if (std::filesystem::exists(file)) {
    try {
      previous = nlohmann::json::parse(read_file(file)).value("model", "");
    } catch (const std::exception&) {
    }
  }
  write_file_atomic(file, j.dump(1) + "\n");  // invariant 2: the commit point
  if (!previous.empty() && previous != model_name) std::filesystem::remove(dir / previous);  // invariant 3
}

Contents load(const std::filesystem::path& dir, Weights& global, Strategy& strategy) {
  const std::string file = server_json_path(dir).string();
  Contents contents;
  Weights weights;
  // The keys are read in this order, so a file with several faults reports the first.
  try {
    const nlohmann::json j = nlohmann::json::parse(read_file(file));
    if (j.at("version").get<int>() != kServerCheckpointVersion) {
      throw Error(ErrorKind::kFormat, file, "checkpoint version " + j.at("version").dump() + " is not supported");
    }
    const std::string model_file = (dir / j.at("model").get<std::string>()).string();
    Model saved = parse_model(read_file(model_file), model_file);
    weights = flatten_params(saved);
    if (weights.size() != global.size()) {
      throw Error(ErrorKind::kInvalid, file,
                  "the checkpoint's model has " + std::to_string(weights.size()) + " parameters; the server's has " +
                      std::to_string(global.size()) + " (another architecture)");
    }
    contents.next_round = j.at("next_round").get<uint32_t>();
    contents.done = j.at("done").get<bool>();
    strategy.load_state(checkpoint_from_base64(j.at("strategy_state").get<std::string>(), file), file);
    for (const nlohmann::json& c : j.at("clients")) {
      contents.clients.push_back(
          {c.at("id").get<std::string>(), c.at("name").get<std::string>(), c.at("token_sha256").get<std::string>()});
    }
    for (const nlohmann::json& r : j.at("rounds")) contents.rounds.push_back(round_record_from_json(r));
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::kFormat, file, std::string("bad checkpoint: ") + e.what());
  }
  global = std::move(weights);
  return contents;
}

}  // namespace tinymlops::fl::checkpoint

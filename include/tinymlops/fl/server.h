// The federated server: registration, rounds, validation of updates, aggregation,
// checkpoints. Transport-free: the HTTP front end (fl/http_transport.h) and the
// simulator (fl/simulator.h) call the same methods, so both run one code path.
//
// A round: once at least min_clients are registered, the server samples
// max(min_clients, ceil(fraction * registered)) of them (seeded by the round) and
// gives them a RoundTask. It closes when every sampled client has answered or the
// round timeout has passed (stragglers are dropped; a late update is "stale" and
// rejected). With at least min_updates accepted updates the strategy aggregates
// them into the global model, the model is evaluated on the validation set (when
// given), and a checkpoint is written; otherwise the round does not count and the
// global model is unchanged. Either way the next round gets the next number.
//
// Every update is checked before it is kept: sampled client, current round, one
// per client, encoding as configured, payload size and shape, finite values, norm
// (reject_norm). A rejected update is logged with its reason and never aggregated.
//
// Thread-safe: every public method takes the server's lock.
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tinymlops/fl/protocol.h"
#include "tinymlops/fl/strategy.h"
#include "tinymlops/fl/update.h"

namespace tinymlops::fl {

struct ServerConfig {
  int rounds = 20;                 // rounds to run (counted or not)
  double fraction = 1.0;           // of the registered clients sampled per round, in (0, 1]
  int min_clients = 2;             // registered clients needed to start; also the least sampled
  int min_updates = 2;             // accepted updates needed for a round to count
  double round_timeout = 60;       // seconds a round waits for its clients
  LocalTrainConfig local;          // sent to the clients with each task
  StrategyConfig strategy;
  UpdateEncoding encoding = UpdateEncoding::kFloat32;
  bool dp = false;                 // DP-FedAvg: clients clip and noise; equal weights
  DpConfig dp_config;
  double reject_norm = 0;          // > 0: updates with a larger L2 norm are rejected
  std::string enrollment_secret;   // "" accepts any registration
  std::filesystem::path checkpoint_dir;  // "" writes none; else resumes from it
  double target_accuracy = 0;      // > 0: stop once validation accuracy reaches it
  uint64_t seed = 0;
};

// Throws Error(kUsage) naming the setting for an out-of-range value.
void check_server_config(const ServerConfig& config);

// Settings that follow from others, set once for every caller: FedProx is FedAvg
// on the server plus a proximal term on the clients, so with strategy.kind
// kFedProx the clients' local.proximal_mu becomes strategy.proximal_mu (other
// strategies leave local.proximal_mu as it is). FlServer applies it to its
// config; the jobs (fl/simulate_job.h, fl/server_job.h) apply it before they
// record the settings. Applying it twice changes nothing.
void finalize_server_config(ServerConfig& config);

struct RoundRecord {
  uint32_t round = 0;
  bool counted = false;            // aggregated (enough accepted updates)
  int sampled = 0, accepted = 0, rejected = 0, dropped = 0;  // dropped: sampled, never answered
  double train_loss = NAN;         // sample-weighted mean of the accepted updates
  double accuracy = NAN;           // on the validation set, after aggregation
  double validation_loss = NAN;
  int64_t bytes_received = 0;      // update messages accepted this round
  double epsilon = NAN;            // DP: (epsilon, delta) spent so far
  double seconds = 0;              // round duration by the server's clock
};

struct Registration {
  std::string client_id;
  std::string token;
};

class FlServer {
 public:
  using Clock = std::function<double()>;  // seconds, monotonic

  // `initial` holds the architecture and starting weights (built); `validation`
  // may be empty. When config.checkpoint_dir holds a checkpoint, the server
  // resumes from it (global weights, round, history, clients, strategy state);
  // a checkpoint of another architecture is Error(kInvalid). The checkpoint's
  // files and every error a damaged one gives: docs/formats/fl-checkpoint.md.
  FlServer(Model initial, ServerConfig config, std::optional<Dataset> validation, Clock clock);
  ~FlServer();

  // Throws Error(kInvalid) for a wrong enrollment secret.
  Registration register_client(const std::string& name, const std::string& secret);
  // The client id of a token; throws Error(kInvalid) for an unknown one.
  std::string authenticate(const std::string& token);

  RoundTask task_for(const std::string& client_id);
  // The global model file bytes and their SHA-256 (hex).
  std::string model_bytes();
  std::string model_sha256();

  // Accepts one update message. Throws Error (kFormat or kInvalid) with the
  // reason when it is rejected; the rejection is also logged (rejections()).
  void submit(const std::string& client_id, std::string_view message);

  // Secure aggregation: the sum over `contributors` sampled clients of
  // [samples_i * delta_i..., samples_i] (the last value: their sample count),
  // rebuilt by SecAggServer, so the server never sees one client's update. It
  // counts as their updates: FedAvg of the sum. Throws Error(kInvalid) for a
  // wrong size, a non-finite value, a non-positive sample total, unknown or
  // unsampled contributors, or a strategy that needs each update (robust ones).
  // `bytes` is what the contributors sent for it (masked inputs), for the record.
  void submit_secure_sum(const std::vector<std::string>& contributors, const Weights& sum, int64_t bytes);

  // Opens a round when none is open and enough clients are registered; closes
  // the open one when it is due. Returns the record of a round it closed.
  std::optional<RoundRecord> advance();

  bool done();
  uint32_t current_round();
  std::vector<RoundRecord> history();
  std::vector<std::string> rejections();  // "round 3 c0002: reason"
  Model global_model();                   // a copy (parse of model_bytes)
  double best_accuracy();                 // over counted rounds; NaN without validation

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::mutex mutex_;
};

// The round history as CSV: round, counted, sampled, accepted, rejected, dropped,
// train_loss, accuracy, validation_loss, bytes_received, epsilon, seconds.
std::string rounds_csv(const std::vector<RoundRecord>& rounds);

// One round as `fl server --json` and `fl simulate --json` print it (one line per
// round): "round", "counted", "sampled", "accepted", "rejected", "dropped",
// "bytes" (bytes_received), and "accuracy", "train_loss", "epsilon" only when
// finite. An nlohmann::json, so dump() writes the keys sorted by name. (The
// checkpoint keeps every field in its own format: docs/formats/fl-checkpoint.md.)
nlohmann::json to_json(const RoundRecord& record);

}  // namespace tinymlops::fl

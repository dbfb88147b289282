// The user-level jobs behind `tinymlops fl init | server | client | simulate`:
// each reads files, runs the library and returns plain results for the CLI (or
// any other caller) to print.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "tinymlops/fl/http_transport.h"
#include "tinymlops/fl/simulator.h"

namespace tinymlops::fl {

// Where the model comes from when the server or simulator builds it.
struct ModelSource {
  std::string data;                // CSV whose columns and classes the model takes
  std::string label;
  std::vector<int> hidden = {64, 32};
  NormalizationKind normalization = NormalizationKind::kStandard;
  uint64_t seed = 0;
};

// `fl init`: an untrained global model for `source` (normalization fitted on its
// rows: in a real deployment a small public or proxy sample), written atomically.
void write_initial_model(const ModelSource& source, const std::filesystem::path& out);

struct SimulateJob {
  ModelSource source;
  double validation_split = 0.2;   // held out (stratified) as the server's validation set
  SimulationConfig simulation;
  std::string out;                 // final global model file ("" = not written)
  std::string rounds_csv;          // per-round CSV (rounds_csv) ("" = not written)
  bool record = true;              // record an experiment when run inside a tinymlops project
};

struct SimulateOutcome {
  SimulationResult result;
  size_t train_rows = 0, validation_rows = 0;
  std::string experiment_id;       // "" when not recorded
};

SimulateOutcome run_simulation_job(const SimulateJob& job, const std::function<void(const RoundRecord&)>& on_round);

struct ServerJob {
  std::string model;               // initial global model file (fl init, or any trained .tmlm)
  std::string validation;          // labelled CSV evaluated after each round ("" = none)
  ServerConfig config;
  HttpServerOptions http;
  std::string out;                 // final global model file ("" = not written)
  std::string rounds_csv;          // rewritten after every round ("" = not written)
  bool record = true;
};

struct ServerOutcome {
  std::vector<RoundRecord> rounds;
  std::string experiment_id;
};

// Serves until the rounds are done. on_listening gets the bound port first.
ServerOutcome run_server_job(const ServerJob& job, const std::function<void(int port)>& on_listening,
                             const std::function<void(const RoundRecord&)>& on_round,
                             const std::function<void(const std::string&)>& on_message);

// Records a federated run in the experiments store of the project around the
// working directory: params, per-round and final metrics, model hash. Returns the
// experiment id, or "" when there is no project.
std::string record_fl_experiment(const nlohmann::ordered_json& params, const std::vector<RoundRecord>& rounds,
                                 const std::string& model_file, double seconds);

}  // namespace tinymlops::fl

// The job behind `tinymlops fl server`: the federated server over HTTP from a
// model file until its rounds are done, its files written and its experiment
// recorded; plain results for the CLI (or any other caller) to print. (`fl
// client` is run_http_client in fl/http_transport.h.)
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tinymlops/fl/http_transport.h"
#include "tinymlops/fl/server.h"

namespace tinymlops::fl {

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

// Serves until the rounds are done, with job.config finalized
// (finalize_server_config, fl/server.h). on_listening gets the bound port first.
ServerOutcome run_server_job(const ServerJob& job, const std::function<void(int port)>& on_listening,
                             const std::function<void(const RoundRecord&)>& on_round,
                             const std::function<void(const std::string&)>& on_message);

// Records a federated run in the experiments store of the project around the
// working directory: params, per-round and final metrics, model hash. Returns the
// experiment id, or "" when there is no project.
std::string record_fl_experiment(const nlohmann::ordered_json& params, const std::vector<RoundRecord>& rounds,
                                 const std::string& model_file, double seconds);

}  // namespace tinymlops::fl

// Federated learning in one process: a FlServer and N virtual clients over one
// dataset split IID or non-IID (fl/partition.h). The clients are ClientWorkers
// and talk to the server through the same methods the HTTP front end calls, so a
// simulation runs the network version's code minus the sockets. Time is virtual:
// a round closes when every sampled client has answered or, with dropouts, when
// the clock is moved past its timeout.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "tinymlops/fl/partition.h"
#include "tinymlops/fl/server.h"
#include "tinymlops/nn/layer_spec.h"

namespace tinymlops::fl {

struct SimulationConfig {
  ServerConfig server;
  int clients = 100;
  PartitionSpec partition;
  double dropout = 0;            // probability that a sampled client never answers a round
  bool secure_aggregation = false;  // sum the updates under pairwise masks (fl/secure_aggregation.h)
  uint64_t seed = 0;             // partition, dropouts (the server has its own)
};

struct SimulationResult {
  std::vector<RoundRecord> rounds;
  int rounds_to_target = 0;      // first counted round with accuracy >= target; 0 = never
  double final_accuracy = NAN;   // of the last counted round
  double mean_bytes_per_round = 0;  // uplink: update bytes the server received per counted round
  std::vector<std::string> rejections;
  Model model;                   // the final global model
};

// Runs config.server.rounds rounds (or until server.target_accuracy). `train` is
// split among the clients; `validation` is the server's. on_round (may be empty)
// gets every round as it closes.
SimulationResult simulate(Model initial, const Dataset& train, const Dataset& validation,
                          const SimulationConfig& config, const std::function<void(const RoundRecord&)>& on_round);

// An untrained classifier for `data`: `body` layers (e.g. hidden_dense_specs),
// then a dense softmax head with one unit per class, built with `seed`; the
// metadata (columns, classes, normalization fitted on `data`) as `train` sets it.
Model initial_model(const Dataset& data, const std::vector<LayerSpec>& body, NormalizationKind normalization,
                    uint64_t seed);

}  // namespace tinymlops::fl

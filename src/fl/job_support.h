// What the fl jobs (init, simulate, server) share (internal to src/fl): reading
// the labelled data a model is built from, the settings they record, timing.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "tinymlops/data/dataset.h"
#include "tinymlops/fl/server.h"

namespace tinymlops::fl {

// The rows of `data` with `label` as the target. Throws Error(kUsage) at
// "--data" / "--label" when either is empty.
Dataset load_labelled(const std::string& data, const std::string& label);

// The server settings an experiment records (record_fl_experiment prefixes each
// key with "fl."): rounds, fraction, min_clients, min_updates, strategy,
// local_epochs, batch_size, learning_rate, proximal_mu, encoding, dp, seed.
nlohmann::ordered_json server_params(const ServerConfig& config);

// Seconds since `start` by the steady clock.
double elapsed_since(std::chrono::steady_clock::time_point start);

}  // namespace tinymlops::fl

// Pieces shared by the strategy implementations (src/fl/strategy*.cc).
#pragma once

#include <memory>
#include <vector>

#include "tinymlops/fl/strategy.h"

namespace tinymlops::fl {

// The updates in client-id order (stable for equal ids). Checks the REQUIRES of
// Strategy::aggregate that can be checked cheaply (non-empty, every delta of
// `size` values, samples > 0), throwing Error(kInvalid) naming the client.
std::vector<const ClientUpdate*> in_client_order(const std::vector<ClientUpdate>& updates, size_t size);

// The updates' deltas in client-id order (stable for equal ids), each norm
// bounded to `max_norm` (when > 0).
std::vector<Weights> ordered_bounded_deltas(const std::vector<ClientUpdate>& updates, size_t size,
                                            double max_norm);

// sum(samples_i * delta_i) / sum(samples_i), in client-id order, accumulated in
// double; deltas norm bounded first.
std::vector<double> weighted_mean_delta(const std::vector<ClientUpdate>& updates, size_t size,
                                        double max_norm);

// One factory per file.
std::unique_ptr<Strategy> make_adaptive_strategy(const StrategyConfig& config);  // fedadam, fedyogi
std::unique_ptr<Strategy> make_robust_strategy(const StrategyConfig& config);    // median, trimmed_mean, krum

}  // namespace tinymlops::fl

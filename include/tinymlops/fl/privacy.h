// Differential privacy for federated averaging (DP-FedAvg) and its accountant.
//
// DP-FedAvg (McMahan et al. 2018, "Learning differentially private recurrent
// language models") bounds what one client's data can change in a round: every
// client scales its delta to an L2 norm of at most S (clip_norm), and the sum of
// a round's m deltas carries Gaussian noise of standard deviation z * S
// (z = noise_multiplier). Here the noise is distributed: each client adds
// N(0, (z S)^2 / m) per coordinate, so the m noise terms add up to std z S and the
// server never needs to see one client's update on its own (it composes with
// secure aggregation, secure_aggregation.h).
//
// Server side, with DP the server averages the clipped, noised deltas with EQUAL
// weights and a FIXED denominator, sum / m with m the number of clients the round
// expected (not their sample counts, which would let one client's data move the
// average more than S / m, and not the number that arrived). Use private_mean().
// When only k < m updates arrive, the sum carries noise of std z S sqrt(k / m):
// account that round with add_round(effective_noise_multiplier(z, m, k)).
//
// The accountant tracks Renyi differential privacy (RDP) of the sampled Gaussian
// mechanism (Mironov, Talwar, Zhang 2019, "Renyi Differential Privacy of the
// Sampled Gaussian Mechanism"): each round samples clients with rate
// q = clients per round / population and releases a sum with sensitivity S and
// noise std z S. RDP adds up over rounds at every order alpha, and
//   epsilon = min over alpha of  rdp_total(alpha) + log(1 / delta) / (alpha - 1).
// The analysis assumes Poisson sampling with rate q; a server that draws a fixed
// number of clients uniformly is accounted with the same q, as is common practice.
//
// Example: 100 of 10,000 clients per round, z = 1.0, 500 rounds, delta = 1e-5:
//   PrivacyAccountant accountant(100.0 / 10000, 1.0, 1e-5);
//   for (int r = 0; r < 500; ++r) accountant.add_round();
//   accountant.epsilon();  // about 2.07
#pragma once

#include <vector>

#include "tinymlops/core/rng.h"
#include "tinymlops/fl/update.h"

namespace tinymlops::fl {

struct DpConfig {
  double clip_norm = 1.0;         // S: every client delta is scaled to L2 norm <= S; > 0
  double noise_multiplier = 1.0;  // z: the noise on the SUM of a round's deltas has std z * S; >= 0
  double delta = 1e-5;            // target delta of the reported (epsilon, delta); in (0, 1)
};

// Throws Error(kInvalid) naming the field when a value is outside its range above.
void validate_dp_config(const DpConfig& config);

// Client side of DP-FedAvg: scales `delta` to L2 norm <= clip_norm (unchanged if
// already within), then adds N(0, (z S)^2 / m) to every coordinate, m =
// clients_per_round, drawing rng.normal() once per coordinate in order. Returns
// the norm before clipping. REQUIRES: clients_per_round >= 1. Throws
// Error(kInvalid) for a bad config or an update with a non-finite value.
double privatize_update(Weights& delta, const DpConfig& config, int clients_per_round, Rng& rng);

// The server's DP-FedAvg average: the element-wise sum of `deltas` divided by
// clients_per_round (see the top of this file), or `delta_sum` / clients_per_round
// when the sum comes from secure aggregation. Throws Error(kInvalid) when the
// deltas differ in size or clients_per_round < 1.
Weights private_mean(const std::vector<Weights>& deltas, int clients_per_round);
Weights private_mean(const Weights& delta_sum, int clients_per_round);

// The noise multiplier a round really had when only `arrived` of the
// `clients_per_round` clients' noised updates were summed: z * sqrt(arrived / m).
double effective_noise_multiplier(double noise_multiplier, int clients_per_round, int arrived);

// RDP of one step of the sampled Gaussian mechanism at order `alpha` > 1, with
// sampling rate q in [0, 1] and noise multiplier z >= 0 (std over sensitivity).
// Integer orders use the paper's binomial expansion, other orders its two
// convergent series for fractional alpha. q = 1 gives
// the Gaussian mechanism's alpha / (2 z^2); q = 0 gives 0; z = 0 gives infinity.
double sampled_gaussian_rdp(double q, double noise_multiplier, double alpha);

// The orders the accountant minimizes over: 1.1, 1.2, ..., 10.9, then 11..64 and
// 80, 96, 128, 256, 512.
const std::vector<double>& rdp_orders();

// Converts accumulated RDP (one value per rdp_orders() entry) to epsilon at
// `delta`: min over alpha of rdp(alpha) + log(1 / delta) / (alpha - 1).
double epsilon_from_rdp(const std::vector<double>& rdp, double delta);

// Privacy spent by a run of DP-FedAvg rounds.
class PrivacyAccountant {
 public:
  // REQUIRES: sampling_rate in (0, 1], noise_multiplier >= 0, delta in (0, 1);
  // throws Error(kInvalid) otherwise.
  PrivacyAccountant(double sampling_rate, double noise_multiplier, double delta);

  // One more round at the constructor's noise multiplier.
  void add_round();
  // One more round whose sum had `noise_multiplier` (see effective_noise_multiplier).
  void add_round(double noise_multiplier);

  int rounds() const { return rounds_; }
  // Epsilon after the rounds so far: 0 before any round, infinity when a round had z == 0.
  double epsilon() const;
  double delta() const { return delta_; }
  double sampling_rate() const { return sampling_rate_; }
  double noise_multiplier() const { return noise_multiplier_; }

 private:
  double sampling_rate_;
  double noise_multiplier_;
  double delta_;
  int rounds_ = 0;
  std::vector<double> rdp_;  // accumulated, one per rdp_orders() entry
  double step_noise_multiplier_ = -1;  // the z step_rdp_ was computed for
  std::vector<double> step_rdp_;       // one round's RDP at that z
};

}  // namespace tinymlops::fl

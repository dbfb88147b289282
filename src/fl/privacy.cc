#include "tinymlops/fl/privacy.h"

#include <cmath>
#include <limits>
#include <string>

#include "tinymlops/core/error.h"

namespace tinymlops::fl {

namespace {

void require(bool ok, const std::string& field, const std::string& message) {
  if (!ok) throw Error(ErrorKind::kInvalid, field, message);
}

}  // namespace

void validate_dp_config(const DpConfig& config) {
  require(std::isfinite(config.clip_norm) && config.clip_norm > 0, "clip_norm",
          "must be a positive number, got " + std::to_string(config.clip_norm));
  require(std::isfinite(config.noise_multiplier) && config.noise_multiplier >= 0, "noise_multiplier",
          "must be >= 0, got " + std::to_string(config.noise_multiplier));
  require(config.delta > 0 && config.delta < 1, "delta", "must be in (0, 1), got " + std::to_string(config.delta));
}

double privatize_update(Weights& delta, const DpConfig& config, int clients_per_round, Rng& rng) {
  validate_dp_config(config);
  require(clients_per_round >= 1, "clients_per_round", "must be >= 1, got " + std::to_string(clients_per_round));
  const double norm = l2_norm(delta);
  require(std::isfinite(norm), "update", "has a non-finite value; it cannot be clipped");
  if (norm > config.clip_norm) {
    const double scale = config.clip_norm / norm;
    for (float& v : delta) v = static_cast<float>(v * scale);
  }
  const double noise_std = config.noise_multiplier * config.clip_norm / std::sqrt(static_cast<double>(clients_per_round));
  if (noise_std > 0) {
    for (float& v : delta) v = static_cast<float>(v + noise_std * static_cast<double>(rng.normal()));
  }
  return norm;
}

Weights private_mean(const Weights& delta_sum, int clients_per_round) {
  require(clients_per_round >= 1, "clients_per_round", "must be >= 1, got " + std::to_string(clients_per_round));
  Weights mean(delta_sum.size());
  const double m = clients_per_round;
  for (size_t i = 0; i < delta_sum.size(); ++i) mean[i] = static_cast<float>(delta_sum[i] / m);
  return mean;
}

Weights private_mean(const std::vector<Weights>& deltas, int clients_per_round) {
  if (deltas.empty()) return private_mean(Weights{}, clients_per_round);
  std::vector<double> sum(deltas[0].size(), 0.0);
  for (size_t c = 0; c < deltas.size(); ++c) {
    require(deltas[c].size() == sum.size(), "deltas[" + std::to_string(c) + "]",
            "has " + std::to_string(deltas[c].size()) + " values; deltas[0] has " + std::to_string(sum.size()));
    for (size_t i = 0; i < sum.size(); ++i) sum[i] += deltas[c][i];
  }
  require(clients_per_round >= 1, "clients_per_round", "must be >= 1, got " + std::to_string(clients_per_round));
  Weights mean(sum.size());
  for (size_t i = 0; i < sum.size(); ++i) mean[i] = static_cast<float>(sum[i] / clients_per_round);
  return mean;
}

double effective_noise_multiplier(double noise_multiplier, int clients_per_round, int arrived) {
  require(clients_per_round >= 1 && arrived >= 0 && arrived <= clients_per_round, "arrived",
          std::to_string(arrived) + " of " + std::to_string(clients_per_round) + " clients is not a valid count");
  return noise_multiplier * std::sqrt(static_cast<double>(arrived) / clients_per_round);
}

PrivacyAccountant::PrivacyAccountant(double sampling_rate, double noise_multiplier, double delta)
    : sampling_rate_(sampling_rate), noise_multiplier_(noise_multiplier), delta_(delta), rdp_(rdp_orders().size(), 0.0) {
  require(sampling_rate > 0 && sampling_rate <= 1, "sampling_rate",
          "must be in (0, 1] (clients per round / population), got " + std::to_string(sampling_rate));
  require(std::isfinite(noise_multiplier) && noise_multiplier >= 0, "noise_multiplier",
          "must be >= 0, got " + std::to_string(noise_multiplier));
  require(delta > 0 && delta < 1, "delta", "must be in (0, 1), got " + std::to_string(delta));
}

void PrivacyAccountant::add_round() { add_round(noise_multiplier_); }

void PrivacyAccountant::add_round(double noise_multiplier) {
  require(std::isfinite(noise_multiplier) && noise_multiplier >= 0, "noise_multiplier",
          "must be >= 0, got " + std::to_string(noise_multiplier));
  const std::vector<double>& orders = rdp_orders();
  if (noise_multiplier != step_noise_multiplier_) {  // rounds at one z cost the same: compute once
    step_rdp_.resize(orders.size());
    for (size_t k = 0; k < orders.size(); ++k) step_rdp_[k] = sampled_gaussian_rdp(sampling_rate_, noise_multiplier, orders[k]);
    step_noise_multiplier_ = noise_multiplier;
  }
  for (size_t k = 0; k < orders.size(); ++k) rdp_[k] += step_rdp_[k];
  ++rounds_;
}

double PrivacyAccountant::epsilon() const {
  if (rounds_ == 0) return 0;
  return epsilon_from_rdp(rdp_, delta_);
}

}  // namespace tinymlops::fl

// Renyi DP of the sampled Gaussian mechanism (Mironov, Talwar, Zhang 2019).
//
// With mu0 = N(0, z^2), mu1 = N(1, z^2) and mu = (1 - q) mu0 + q mu1, the RDP at
// order alpha is log(A_alpha) / (alpha - 1), A_alpha = E_{x ~ mu0}[(mu(x) / mu0(x))^alpha].
// Everything is computed in log space: A_alpha overflows a double long before the
// orders and noise levels of interest stop being useful.
#include <cmath>
#include <limits>
#include <string>

#include "tinymlops/core/error.h"
#include "tinymlops/fl/privacy.h"

namespace tinymlops::fl {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// log(exp(a) + exp(b)).
double log_add(double a, double b) {
  if (a == -kInf) return b;
  if (b == -kInf) return a;
  const double high = std::max(a, b);
  return high + std::log1p(std::exp(std::min(a, b) - high));
}

// A real number kept as sign * exp(log_magnitude), for sums of terms of both signs.
struct SignedLog {
  double log_magnitude = -kInf;
  int sign = 1;

  void add(double log_term, int term_sign) {
    if (log_term == -kInf) return;
    if (log_magnitude == -kInf) {
      log_magnitude = log_term;
      sign = term_sign;
    } else if (sign == term_sign) {
      log_magnitude = log_add(log_magnitude, log_term);
    } else if (log_term > log_magnitude) {
      log_magnitude = log_term + std::log1p(-std::exp(log_magnitude - log_term));
      sign = term_sign;
    } else {
      log_magnitude = log_term == log_magnitude ? -kInf : log_magnitude + std::log1p(-std::exp(log_term - log_magnitude));
    }
  }
};

// log(erfc(x)), accurate where erfc(x) underflows (asymptotic series for x >= 20).
double log_erfc(double x) {
  if (x < 20) return std::log(std::erfc(x));
  const double inv_x2 = 1.0 / (x * x);
  const double series = 1 - 0.5 * inv_x2 + 0.75 * inv_x2 * inv_x2 - 1.875 * inv_x2 * inv_x2 * inv_x2;
  return -x * x - std::log(x) - 0.5 * std::log(M_PI) + std::log(series);
}

// log(A_alpha) for integer alpha: sum_{i=0}^{alpha} C(alpha, i) (1-q)^(alpha-i) q^i exp((i^2 - i) / (2 z^2)).
double log_a_integer(double q, double z, int alpha) {
  double log_a = -kInf;
  for (int i = 0; i <= alpha; ++i) {
    const double log_binomial = std::lgamma(alpha + 1.0) - std::lgamma(i + 1.0) - std::lgamma(alpha - i + 1.0);
    const double term = log_binomial + i * std::log(q) + (alpha - i) * std::log1p(-q) +
                        (static_cast<double>(i) * i - i) / (2 * z * z);
    log_a = log_add(log_a, term);
  }
  return log_a;
}

// log(A_alpha) for fractional alpha: the integral split at z0, the point where
// q mu1(x) = (1 - q) mu0(x), so that on each side the binomial series of
// ((1 - q) mu0 + q mu1)^alpha in the smaller term converges; the two series in the
// generalized binomial coefficients C(alpha, i) are summed until their terms drop
// below e^-30.
double log_a_fractional(double q, double z, double alpha) {
  SignedLog a0, a1;
  const double z0 = z * z * std::log(1 / q - 1) + 0.5;
  double log_binomial = 0;  // log |C(alpha, i)|
  int binomial_sign = 1;
  for (int i = 0; i < 100000; ++i) {
    const double j = alpha - i;
    const double log_t0 = log_binomial + i * std::log(q) + j * std::log1p(-q);
    const double log_t1 = log_binomial + j * std::log(q) + i * std::log1p(-q);
    const double log_e0 = std::log(0.5) + log_erfc((i - z0) / (std::sqrt(2.0) * z));
    const double log_e1 = std::log(0.5) + log_erfc((z0 - j) / (std::sqrt(2.0) * z));
    const double log_s0 = log_t0 + (static_cast<double>(i) * i - i) / (2 * z * z) + log_e0;
    const double log_s1 = log_t1 + (j * j - j) / (2 * z * z) + log_e1;
    a0.add(log_s0, binomial_sign);
    a1.add(log_s1, binomial_sign);
    if (std::max(log_s0, log_s1) < -30) break;
    // C(alpha, i + 1) = C(alpha, i) * (alpha - i) / (i + 1).
    const double factor = (alpha - i) / (i + 1.0);
    log_binomial += std::log(std::fabs(factor));
    if (factor < 0) binomial_sign = -binomial_sign;
  }
  SignedLog total = a0;
  total.add(a1.log_magnitude, a1.sign);
  if (total.sign < 0) {
    throw Error(ErrorKind::kInvalid, "",
                "the RDP series at order " + std::to_string(alpha) + " did not converge to a positive value");
  }
  return total.log_magnitude;
}

}  // namespace

double sampled_gaussian_rdp(double q, double noise_multiplier, double alpha) {
  if (!(q >= 0 && q <= 1) || !(noise_multiplier >= 0) || !(alpha > 1)) {
    throw Error(ErrorKind::kInvalid, "",
                "sampled Gaussian RDP needs q in [0, 1], z >= 0 and order > 1; got q = " + std::to_string(q) +
                    ", z = " + std::to_string(noise_multiplier) + ", order = " + std::to_string(alpha));
  }
  if (q == 0) return 0;
  if (noise_multiplier == 0 || std::isinf(alpha)) return kInf;
  const double z = noise_multiplier;
  if (q == 1) return alpha / (2 * z * z);
  const double log_a = alpha == std::floor(alpha) ? log_a_integer(q, z, static_cast<int>(alpha))
                                                  : log_a_fractional(q, z, alpha);
  return std::max(0.0, log_a / (alpha - 1));
}

const std::vector<double>& rdp_orders() {
  static const std::vector<double> orders = [] {
    std::vector<double> list;
    for (int tenths = 11; tenths <= 109; ++tenths) list.push_back(tenths / 10.0);
    for (int order = 11; order <= 64; ++order) list.push_back(order);
    for (double order : {80.0, 96.0, 128.0, 256.0, 512.0}) list.push_back(order);
    return list;
  }();
  return orders;
}

double epsilon_from_rdp(const std::vector<double>& rdp, double delta) {
  const std::vector<double>& orders = rdp_orders();
  if (rdp.size() != orders.size()) {
    throw Error(ErrorKind::kInvalid, "", "RDP has " + std::to_string(rdp.size()) + " values; there are " +
                                             std::to_string(orders.size()) + " orders");
  }
  if (!(delta > 0 && delta < 1)) throw Error(ErrorKind::kInvalid, "delta", "must be in (0, 1), got " + std::to_string(delta));
  double best = kInf;
  for (size_t k = 0; k < orders.size(); ++k) {
    best = std::min(best, rdp[k] + std::log(1 / delta) / (orders[k] - 1));
  }
  return best;
}

}  // namespace tinymlops::fl

#include "tinymlops/fl/privacy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "test_util.h"
#include "tinymlops/core/error.h"

namespace tinymlops::fl {
namespace {

Weights random_vector(size_t size, float scale, uint64_t seed) {
  Rng rng(seed);
  Weights v(size);
  for (float& x : v) x = scale * rng.normal();
  return v;
}

TEST(FlPrivacy, ClippingBoundsTheNormAndReturnsTheNormBefore) {
  DpConfig config;
  config.clip_norm = 0.75;
  config.noise_multiplier = 0;
  Rng rng(1);
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Weights delta = random_vector(300, 0.5f * static_cast<float>(seed), seed);
    const double before = l2_norm(delta);
    const Weights original = delta;
    EXPECT_DOUBLE_EQ(privatize_update(delta, config, 10, rng), before);
    EXPECT_LE(l2_norm(delta), config.clip_norm * (1 + 1e-6));
    EXPECT_NEAR(l2_norm(delta), std::min(before, config.clip_norm), 1e-5);
    // Clipping scales: the direction is kept.
    const double scale = delta[0] / original[0];
    for (size_t i = 0; i < delta.size(); ++i) EXPECT_NEAR(delta[i], original[i] * scale, 1e-6);
  }
  Weights small = {0.1f, -0.2f, 0.3f};
  const Weights copy = small;
  privatize_update(small, config, 10, rng);
  EXPECT_EQ(small, copy);  // within the bound and no noise: untouched
}

TEST(FlPrivacy, NoiseOnTheSumOfARoundHasStdZTimesS) {
  DpConfig config;
  config.clip_norm = 0.5;
  config.noise_multiplier = 1.3;
  const int clients = 10;
  const size_t size = 20000;
  Rng rng(42);
  std::vector<Weights> deltas;
  for (int c = 0; c < clients; ++c) {
    Weights delta(size, 0.0f);
    Rng client_rng = rng.split();
    privatize_update(delta, config, clients, client_rng);
    deltas.push_back(delta);
  }
  double sum_of_values = 0, sum_of_squares = 0;
  for (size_t i = 0; i < size; ++i) {
    double s = 0;
    for (const Weights& d : deltas) s += d[i];
    sum_of_values += s;
    sum_of_squares += s * s;
  }
  const double mean = sum_of_values / size;
  const double std_dev = std::sqrt(sum_of_squares / size - mean * mean);
  const double expected = config.noise_multiplier * config.clip_norm;  // 0.65
  // The sample std of 20,000 normals is within 0.5% (one standard error) of the truth; allow 3%.
  EXPECT_NEAR(std_dev, expected, 0.03 * expected);
  EXPECT_NEAR(mean, 0, 4 * expected / std::sqrt(static_cast<double>(size)));
  // One client's own noise is 1/sqrt(m) of that.
  EXPECT_NEAR(std::sqrt(l2_norm(deltas[0]) * l2_norm(deltas[0]) / size), expected / std::sqrt(static_cast<double>(clients)), 0.03 * expected);
}

TEST(FlPrivacy, PrivatizeIsDeterministicForASeed) {
  DpConfig config;
  Weights a = random_vector(100, 1.0f, 3), b = a;
  Rng rng_a(9), rng_b(9);
  privatize_update(a, config, 5, rng_a);
  privatize_update(b, config, 5, rng_b);
  EXPECT_EQ(a, b);
}

TEST(FlPrivacy, RejectsBadConfigsAndNonFiniteUpdates) {
  Rng rng(1);
  Weights delta = {1.0f, 2.0f};
  DpConfig bad_clip;
  bad_clip.clip_norm = 0;
  EXPECT_THROW(privatize_update(delta, bad_clip, 5, rng), Error);
  DpConfig bad_noise;
  bad_noise.noise_multiplier = -1;
  EXPECT_THROW(privatize_update(delta, bad_noise, 5, rng), Error);
  DpConfig bad_delta;
  bad_delta.delta = 1;
  EXPECT_THROW(validate_dp_config(bad_delta), Error);
  EXPECT_THROW(privatize_update(delta, DpConfig{}, 0, rng), Error);
  Weights broken = {1.0f, std::nanf("")};
  try {
    privatize_update(broken, DpConfig{}, 5, rng);
    FAIL() << "a NaN update was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalid);
    EXPECT_NE(std::string(e.what()).find("non-finite"), std::string::npos);
  }
}

TEST(FlPrivacy, ServerAveragesWithAFixedDenominator) {
  std::vector<Weights> deltas = {{1.0f, 2.0f}, {3.0f, -2.0f}};
  // Two of four expected clients arrived: sum / 4, not sum / 2.
  EXPECT_EQ(private_mean(deltas, 4), (Weights{1.0f, 0.0f}));
  EXPECT_EQ(private_mean(Weights{4.0f, 8.0f}, 4), (Weights{1.0f, 2.0f}));
  EXPECT_THROW(private_mean(std::vector<Weights>{{1.0f}, {1.0f, 2.0f}}, 2), Error);
  EXPECT_DOUBLE_EQ(effective_noise_multiplier(2.0, 16, 4), 1.0);
  EXPECT_THROW(effective_noise_multiplier(1.0, 4, 5), Error);
}

// q = 1: the plain Gaussian mechanism, RDP alpha / (2 z^2) at every order.
TEST(FlPrivacy, FullParticipationIsTheGaussianMechanism) {
  for (double z : {0.5, 1.0, 3.0}) {
    for (double alpha : {1.5, 2.0, 7.0, 32.0}) {
      EXPECT_DOUBLE_EQ(sampled_gaussian_rdp(1.0, z, alpha), alpha / (2 * z * z));
    }
  }
  // epsilon = min over the grid of T alpha / (2 z^2) + log(1/delta) / (alpha - 1); over all
  // real alpha the minimum is a + 2 sqrt(a log(1/delta)) with a = T / (2 z^2).
  const double z = 2.0, delta = 1e-5;
  PrivacyAccountant accountant(1.0, z, delta);
  for (int t = 0; t < 10; ++t) accountant.add_round();
  const double a = 10 / (2 * z * z);
  const double continuous = a + 2 * std::sqrt(a * std::log(1 / delta));
  EXPECT_GE(accountant.epsilon(), continuous - 1e-12);
  EXPECT_LE(accountant.epsilon(), continuous * 1.01);
}

// Integer orders: the paper's binomial sum, computed here directly (no logs).
TEST(FlPrivacy, IntegerOrdersMatchTheBinomialExpansion) {
  for (double q : {0.01, 0.1, 0.5}) {
    for (double z : {0.8, 1.5, 4.0}) {
      for (int alpha : {2, 3, 5, 8}) {
        double a = 0;
        for (int k = 0; k <= alpha; ++k) {
          const double binomial = std::tgamma(alpha + 1.0) / (std::tgamma(k + 1.0) * std::tgamma(alpha - k + 1.0));
          a += binomial * std::pow(1 - q, alpha - k) * std::pow(q, k) * std::exp((k * k - k) / (2 * z * z));
        }
        EXPECT_NEAR(sampled_gaussian_rdp(q, z, alpha), std::log(a) / (alpha - 1), 1e-12)
            << "q=" << q << " z=" << z << " alpha=" << alpha;
      }
    }
  }
}

// The fractional series and the integer sum are different formulas: they must meet.
TEST(FlPrivacy, FractionalOrdersAreContinuousWithIntegerOnes) {
  for (double q : {0.01, 0.2}) {
    for (double z : {0.7, 1.1, 3.0}) {
      for (int alpha : {2, 4, 16}) {
        const double at = sampled_gaussian_rdp(q, z, alpha);
        EXPECT_NEAR(sampled_gaussian_rdp(q, z, alpha - 1e-7), at, 1e-5 * (1 + at)) << q << " " << z << " " << alpha;
        EXPECT_NEAR(sampled_gaussian_rdp(q, z, alpha + 1e-7), at, 1e-5 * (1 + at)) << q << " " << z << " " << alpha;
        EXPECT_LT(sampled_gaussian_rdp(q, z, alpha - 0.5), at);  // RDP grows with the order
      }
    }
  }
}

TEST(FlPrivacy, EpsilonGrowsWithRoundsAndFallsWithNoiseAndSampling) {
  auto epsilon = [](double q, double z, int rounds) {
    PrivacyAccountant accountant(q, z, 1e-5);
    for (int t = 0; t < rounds; ++t) accountant.add_round();
    EXPECT_EQ(accountant.rounds(), rounds);
    return accountant.epsilon();
  };
  EXPECT_EQ(epsilon(0.01, 1.0, 0), 0.0);
  double previous = 0;
  for (int rounds : {1, 10, 100, 1000}) {
    const double e = epsilon(0.01, 1.0, rounds);
    EXPECT_GT(e, previous);
    previous = e;
  }
  EXPECT_GT(epsilon(0.01, 0.8, 100), epsilon(0.01, 1.2, 100));
  EXPECT_GT(epsilon(0.01, 1.2, 100), epsilon(0.01, 2.0, 100));
  EXPECT_GT(epsilon(0.1, 1.0, 100), epsilon(0.05, 1.0, 100));
  EXPECT_GT(epsilon(0.05, 1.0, 100), epsilon(0.01, 1.0, 100));
  EXPECT_TRUE(std::isinf(epsilon(0.01, 0.0, 1)));
  // A round whose sum had less noise (clients missing) costs more.
  PrivacyAccountant full(0.01, 1.0, 1e-5), short_round(0.01, 1.0, 1e-5);
  full.add_round();
  short_round.add_round(effective_noise_multiplier(1.0, 10, 5));
  EXPECT_GT(short_round.epsilon(), full.epsilon());
  EXPECT_THROW(PrivacyAccountant(0.0, 1.0, 1e-5), Error);
  EXPECT_THROW(PrivacyAccountant(0.1, 1.0, 0.0), Error);
}

// Across the whole range: every order gives a finite RDP, nondecreasing in the order
// (a property of Renyi divergence) and increasing as the noise falls.
TEST(FlPrivacy, RdpIsFiniteAndMonotoneAcrossTheRange) {
  for (double q : {0.001, 0.01, 0.1, 0.5, 0.9, 0.999}) {
    std::vector<double> previous_z(rdp_orders().size(), 0.0);
    for (double z : {10.0, 2.0, 1.0, 0.5, 0.3}) {
      double previous_order = 0;
      for (size_t k = 0; k < rdp_orders().size(); ++k) {
        const double rdp = sampled_gaussian_rdp(q, z, rdp_orders()[k]);
        ASSERT_TRUE(std::isfinite(rdp)) << q << " " << z << " " << rdp_orders()[k];
        EXPECT_GE(rdp, previous_order * (1 - 1e-9)) << q << " " << z << " " << rdp_orders()[k];
        EXPECT_GE(rdp, previous_z[k] * (1 - 1e-9)) << q << " " << z << " " << rdp_orders()[k];
        previous_order = rdp;
        previous_z[k] = rdp;
      }
    }
  }
}

// An independent reference: A_alpha = E_{x ~ N(0, z^2)}[((1 - q) + q exp((2x - 1) / (2 z^2)))^alpha]
// by numerical integration in /usr/bin/python3 with mpmath (Debian's python3-mpmath),
// at integer and fractional orders, and an epsilon minimized over orders near its optimum.
TEST(FlPrivacy, RdpMatchesNumericalIntegrationOfTheDefinition) {
  struct Case {
    double q, z, alpha;
  };
  const std::vector<Case> cases = {{0.01, 1.0, 2.0}, {0.01, 1.0, 10.5}, {0.05, 0.8, 3.7},  {0.1, 2.0, 32.0},
                                   {0.1, 2.0, 1.5},  {0.3, 1.5, 12.0},  {0.001, 0.6, 4.2}, {0.25, 4.0, 63.0}};
  tinymlops::testing::TempDir dir;
  std::ostringstream script;
  script << "import mpmath as mp\n"
            "mp.mp.dps = 20\n"
            "def rdp(q, z, a):\n"
            "    q, z, a = mp.mpf(q), mp.mpf(z), mp.mpf(a)\n"
            "    f = lambda x: mp.npdf(x, 0, z) * ((1 - q) + q * mp.exp((2 * x - 1) / (2 * z * z))) ** a\n"
            "    z0 = z * z * mp.log(1 / q - 1) + mp.mpf(1) / 2\n"
            "    return mp.log(mp.quad(f, sorted([-mp.inf, -10 * z, 0, z0, a, mp.inf]))) / (a - 1)\n";
  for (const Case& c : cases) script << "print(mp.nstr(rdp(" << c.q << ", " << c.z << ", " << c.alpha << "), 20))\n";
  // The example of privacy.h: q = 0.01, z = 1, 500 rounds, delta = 1e-5; its best order lies in [8, 8.8].
  script << "print(mp.nstr(min(500 * rdp(0.01, 1.0, a / 10) + mp.log(1e5) / (a / 10 - 1) for a in range(80, 89)), 20))\n";
  const auto path = dir.write("rdp.py", script.str());
  FILE* pipe = ::popen(("/usr/bin/python3 " + path.string() + " 2>&1").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe)) output += buffer;
  ASSERT_EQ(::pclose(pipe), 0) << "python3 with mpmath (apt install python3-mpmath) failed:\n" << output;
  std::istringstream lines(output);
  for (const Case& c : cases) {
    double reference = 0;
    ASSERT_TRUE(lines >> reference) << output;
    EXPECT_NEAR(sampled_gaussian_rdp(c.q, c.z, c.alpha), reference, 1e-9 + 1e-7 * reference)
        << "q=" << c.q << " z=" << c.z << " alpha=" << c.alpha;
  }
  double reference_epsilon = 0;
  ASSERT_TRUE(lines >> reference_epsilon) << output;
  PrivacyAccountant accountant(100.0 / 10000, 1.0, 1e-5);
  for (int r = 0; r < 500; ++r) accountant.add_round();
  EXPECT_NEAR(accountant.epsilon(), reference_epsilon, 1e-6);
  EXPECT_NEAR(accountant.epsilon(), 2.07, 0.01);  // as privacy.h says
}

}  // namespace
}  // namespace tinymlops::fl

#include "tinymlops/fl/strategy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "tinymlops/core/error.h"
#include "tinymlops/core/rng.h"

namespace tinymlops::fl {
namespace {

ClientUpdate update(const std::string& client, Weights delta, int64_t samples = 1) {
  ClientUpdate u;
  u.client = client;
  u.delta = std::move(delta);
  u.samples = samples;
  return u;
}

std::unique_ptr<Strategy> strategy(StrategyKind kind) {
  StrategyConfig config;
  config.kind = kind;
  return make_strategy(config);
}

ErrorKind error_kind(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no error thrown";
  return ErrorKind::kUsage;
}

TEST(FlStrategy, NamesRoundTripAndUnknownNamesAreListed) {
  for (int i = 0; i < static_cast<int>(StrategyKind::kCount); ++i) {
    const auto kind = static_cast<StrategyKind>(i);
    EXPECT_EQ(parse_strategy(strategy_name(kind)), kind);
  }
  EXPECT_EQ(parse_strategy("trimmed_mean"), StrategyKind::kTrimmedMean);
  try {
    parse_strategy("fedsgd");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
    EXPECT_NE(std::string(e.what()).find("fedavg, fedprox, fedadam, fedyogi, median, trimmed_mean, krum"),
              std::string::npos)
        << e.what();
  }
}

TEST(FlStrategy, FedAvgWeightsBySamples) {
  for (StrategyKind kind : {StrategyKind::kFedAvg, StrategyKind::kFedProx}) {
    Weights global = {1, 2};
    // (1 * {1, 0} + 3 * {0, 4}) / 4 = {0.25, 3}
    strategy(kind)->aggregate({update("a", {1, 0}, 1), update("b", {0, 4}, 3)}, global);
    EXPECT_EQ(global, (Weights{1.25f, 5}));
  }
}

TEST(FlStrategy, ResultDoesNotDependOnArrivalOrder) {
  Rng rng(3);
  std::vector<ClientUpdate> updates;
  for (int c = 0; c < 20; ++c) {
    Weights delta(50);
    for (float& v : delta) v = rng.normal() * 1e-3f;
    updates.push_back(update("c" + std::to_string(c), delta, 1 + static_cast<int64_t>(rng.below(100))));
  }
  for (int i = 0; i < static_cast<int>(StrategyKind::kCount); ++i) {
    const auto kind = static_cast<StrategyKind>(i);
    std::vector<ClientUpdate> shuffled = updates;
    Rng(static_cast<uint64_t>(i)).shuffle(shuffled);
    Weights a(50, 0.5f), b(50, 0.5f);
    strategy(kind)->aggregate(updates, a);
    strategy(kind)->aggregate(shuffled, b);
    EXPECT_EQ(a, b) << strategy_name(kind);
  }
}

// Cases where the order does change a floating-point result (1 + 1e30 - 1e30 is
// 0, 1e30 - 1e30 + 1 is 1) or a choice (Krum ties): every arrival order gives
// what client-id order gives.
TEST(FlStrategy, SumsAndTiesFollowClientIdOrder) {
  std::vector<ClientUpdate> cancelling = {update("a", {1}), update("b", {1e30f}), update("c", {-1e30f})};
  std::vector<ClientUpdate> tied;  // 1-D values 0..6: c1..c5 tie under Krum with f = 2
  for (int c = 0; c < 7; ++c) tied.push_back(update("c" + std::to_string(c), {static_cast<float>(c)}));
  StrategyConfig krum;
  krum.kind = StrategyKind::kKrum;
  krum.krum_byzantine = 2;
  for (int trial = 0; trial < 6; ++trial) {
    Rng rng(static_cast<uint64_t>(trial));
    rng.shuffle(cancelling);
    rng.shuffle(tied);
    Weights avg = {0}, picked = {0};
    strategy(StrategyKind::kFedAvg)->aggregate(cancelling, avg);
    make_strategy(krum)->aggregate(tied, picked);
    EXPECT_EQ(avg, Weights{0});
    EXPECT_EQ(picked, Weights{1});
  }
}

// Reddi et al. 2021, Algorithm 2, worked by hand with eta = 0.01, beta1 = 0.9,
// beta2 = 0.99, tau = 1e-3 (v starts at tau^2 = 1e-6, m at 0).
TEST(FlStrategy, FedAdamAndFedYogiStepsComputedByHand) {
  // Round 1: d = mean of {0.4, 0.6} = 0.5 (and -0.5 in the second coordinate).
  //   m = 0.1 * 0.5 = 0.05
  //   adam: v = 0.99e-6 + 0.01 * 0.25 = 0.00250099
  //   yogi: v = 1e-6 - 0.01 * 0.25 * sign(1e-6 - 0.25) = 0.002501
  // Round 2: d = 0.1.
  //   m = 0.9 * 0.05 + 0.1 * 0.1 = 0.055
  //   adam: v = 0.99 * 0.00250099 + 0.01 * 0.01 = 0.0025759801
  //   yogi: v = 0.002501 - 0.01 * 0.01 * sign(0.002501 - 0.01) = 0.002601
  const double tau = 1e-3, eta = 0.01;
  struct Case {
    StrategyKind kind;
    double v1, v2;
  };
  for (const Case& c : {Case{StrategyKind::kFedAdam, 0.00250099, 0.0025759801},
                        Case{StrategyKind::kFedYogi, 0.002501, 0.002601}}) {
    std::unique_ptr<Strategy> s = strategy(c.kind);
    Weights global = {1, 1};
    s->aggregate({update("a", {0.4f, -0.4f}), update("b", {0.6f, -0.6f})}, global);
    const double step1 = eta * 0.05 / (std::sqrt(c.v1) + tau);
    EXPECT_NEAR(global[0], 1 + step1, 2e-7) << strategy_name(c.kind);
    EXPECT_NEAR(global[1], 1 - step1, 2e-7) << strategy_name(c.kind);
    const double after1 = global[0];
    s->aggregate({update("a", {0.1f, 0.1f})}, global);
    EXPECT_NEAR(global[0], after1 + eta * 0.055 / (std::sqrt(c.v2) + tau), 2e-7) << strategy_name(c.kind);
  }
}

// Nine honest clients move every weight by about +0.1; one malicious client
// sends -1000.
std::vector<ClientUpdate> round_with_an_attacker() {
  Rng rng(11);
  std::vector<ClientUpdate> updates;
  for (int c = 0; c < 9; ++c) {
    Weights delta(8);
    for (float& v : delta) v = 0.1f + 0.01f * rng.normal();
    updates.push_back(update("honest" + std::to_string(c), delta, 10));
  }
  updates.push_back(update("mallory", Weights(8, -1000), 10));
  return updates;
}

TEST(FlStrategy, RobustStrategiesIgnoreAHugeOutlierFedAvgDoesNot) {
  const std::vector<ClientUpdate> updates = round_with_an_attacker();
  Weights averaged(8, 0);
  strategy(StrategyKind::kFedAvg)->aggregate(updates, averaged);
  for (float v : averaged) EXPECT_LT(v, -90);  // ~ -1000 / 10
  for (StrategyKind kind : {StrategyKind::kMedian, StrategyKind::kTrimmedMean, StrategyKind::kKrum}) {
    Weights global(8, 0);
    strategy(kind)->aggregate(updates, global);
    for (float v : global) {
      EXPECT_GT(v, 0.06) << strategy_name(kind);
      EXPECT_LT(v, 0.14) << strategy_name(kind);
    }
  }
}

TEST(FlStrategy, KrumPicksOneHonestUpdateExactly) {
  const std::vector<ClientUpdate> updates = round_with_an_attacker();
  Weights global(8, 0);
  strategy(StrategyKind::kKrum)->aggregate(updates, global);
  bool found = false;
  for (const ClientUpdate& u : updates) found = found || u.delta == global;
  EXPECT_TRUE(found);
  EXPECT_NE(global, updates.back().delta);
}

TEST(FlStrategy, MedianAndTrimmedMeanValues) {
  const std::vector<ClientUpdate> four = {update("a", {1, 10}), update("b", {2, 20}, 50), update("c", {3, 30}),
                                          update("d", {100, -5})};
  Weights median(2, 0);
  strategy(StrategyKind::kMedian)->aggregate(four, median);
  EXPECT_EQ(median, (Weights{2.5f, 15}));  // even count: mean of the middle two; unweighted
  Weights odd(2, 0);
  strategy(StrategyKind::kMedian)->aggregate({four[0], four[1], four[3]}, odd);
  EXPECT_EQ(odd, (Weights{2, 10}));

  StrategyConfig config;
  config.kind = StrategyKind::kTrimmedMean;
  config.trim_fraction = 0.25;  // one dropped at each end of four
  Weights trimmed(2, 0);
  make_strategy(config)->aggregate(four, trimmed);
  EXPECT_EQ(trimmed, (Weights{2.5f, 15}));
  config.trim_fraction = 0;  // plain unweighted mean
  Weights mean(2, 0);
  make_strategy(config)->aggregate(four, mean);
  EXPECT_EQ(mean, (Weights{26.5f, 13.75f}));
}

// The blocked, partial-sort implementations against a plain sort per coordinate,
// over more coordinates than one block and odd and even counts.
TEST(FlStrategy, MedianAndTrimmedMeanMatchASortPerCoordinate) {
  for (size_t n : {size_t{9}, size_t{14}}) {
    Rng rng(n);
    std::vector<ClientUpdate> updates;
    for (size_t c = 0; c < n; ++c) {
      Weights delta(150);
      for (float& v : delta) v = rng.normal();
      updates.push_back(update("c" + std::to_string(c), delta, 1 + static_cast<int64_t>(c)));
    }
    StrategyConfig config;
    config.kind = StrategyKind::kTrimmedMean;
    config.trim_fraction = 0.2;
    const size_t trim = n / 5;
    Weights median(150, 1), trimmed(150, 1);
    strategy(StrategyKind::kMedian)->aggregate(updates, median);
    make_strategy(config)->aggregate(updates, trimmed);
    for (size_t j = 0; j < 150; ++j) {
      std::vector<double> column;
      for (const ClientUpdate& u : updates) column.push_back(u.delta[j]);
      std::sort(column.begin(), column.end());
      const double middle = n % 2 ? column[n / 2] : (column[n / 2 - 1] + column[n / 2]) / 2;
      double sum = 0;
      for (size_t i = trim; i < n - trim; ++i) sum += column[i];
      EXPECT_FLOAT_EQ(median[j], static_cast<float>(1 + middle)) << n << " " << j;
      EXPECT_NEAR(trimmed[j], 1 + sum / static_cast<double>(n - 2 * trim), 1e-6) << n << " " << j;
    }
  }
}

TEST(FlStrategy, KrumNeedsTwoFPlusThreeUpdatesAndLeavesTheModelAlone) {
  StrategyConfig config;
  config.kind = StrategyKind::kKrum;
  config.krum_byzantine = 2;  // needs 7
  std::vector<ClientUpdate> updates;
  for (int c = 0; c < 6; ++c) updates.push_back(update("c" + std::to_string(c), {static_cast<float>(c)}));
  Weights global = {5};
  EXPECT_EQ(error_kind([&] { make_strategy(config)->aggregate(updates, global); }), ErrorKind::kInvalid);
  EXPECT_EQ(global, Weights{5});
  updates.push_back(update("c6", {6}));
  make_strategy(config)->aggregate(updates, global);
  // With 3 nearest neighbours, 1 to 5 all score 1 + 1 + 4 = 6 (0 and 6 score
  // 14); the first in client-id order, c1, wins.
  EXPECT_EQ(global, Weights{6});
}

TEST(FlStrategy, BoundNorm) {
  Weights delta = {3, 4};
  EXPECT_DOUBLE_EQ(bound_norm(delta, 10), 5);
  EXPECT_EQ(delta, (Weights{3, 4}));
  EXPECT_DOUBLE_EQ(bound_norm(delta, 0), 5);
  EXPECT_EQ(delta, (Weights{3, 4}));
  EXPECT_DOUBLE_EQ(bound_norm(delta, 1), 5);
  EXPECT_FLOAT_EQ(delta[0], 0.6f);
  EXPECT_FLOAT_EQ(delta[1], 0.8f);
  EXPECT_NEAR(l2_norm(delta), 1, 1e-6);
}

TEST(FlStrategy, NormBoundingLimitsWhatOneClientCanDoToFedAvg) {
  StrategyConfig config;
  config.max_update_norm = 1;
  Weights global(8, 0);
  make_strategy(config)->aggregate(round_with_an_attacker(), global);
  // The attacker's delta is cut to norm 1 (each coordinate -1/sqrt(8) = -0.354)
  // and has a tenth of the weight: 0.9 * 0.1 - 0.0354 = 0.055 per coordinate.
  for (float v : global) {
    EXPECT_GT(v, 0.04);
    EXPECT_LT(v, 0.07);
  }
  Weights median(8, 0);
  config.kind = StrategyKind::kMedian;
  config.max_update_norm = 0.1;  // honest norms are ~0.28: every delta is bounded
  make_strategy(config)->aggregate(round_with_an_attacker(), median);
  EXPECT_LT(l2_norm(median), 0.1 + 1e-6);
}

TEST(FlStrategy, AdaptiveStateRoundTripsAndResumesIdentically) {
  for (StrategyKind kind : {StrategyKind::kFedAdam, StrategyKind::kFedYogi}) {
    std::unique_ptr<Strategy> original = strategy(kind);
    Weights global = {0.5f, -0.5f, 2};
    original->aggregate({update("a", {0.1f, 0.2f, -0.3f}), update("b", {0.3f, 0, 0.1f}, 2)}, global);
    const std::string state = original->save_state();
    ASSERT_FALSE(state.empty());

    std::unique_ptr<Strategy> resumed = strategy(kind);
    resumed->load_state(state, "round-1.ckpt");
    EXPECT_EQ(resumed->save_state(), state);
    const std::vector<ClientUpdate> next = {update("a", {-0.2f, 0.1f, 0.05f})};
    Weights a = global, b = global, fresh = global;
    original->aggregate(next, a);
    resumed->aggregate(next, b);
    strategy(kind)->aggregate(next, fresh);
    EXPECT_EQ(a, b) << strategy_name(kind);
    EXPECT_NE(a, fresh) << strategy_name(kind);  // the moments matter
  }
}

TEST(FlStrategy, CorruptedOrForeignStateIsRejectedAndTheStateKept) {
  std::unique_ptr<Strategy> adam = strategy(StrategyKind::kFedAdam);
  Weights global = {1, 2};
  adam->aggregate({update("a", {0.1f, 0.2f})}, global);
  const std::string state = adam->save_state();

  std::unique_ptr<Strategy> target = strategy(StrategyKind::kFedAdam);
  target->load_state(state, "good");
  for (size_t i = 0; i < state.size(); i += 7) {
    std::string bad = state;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    EXPECT_EQ(error_kind([&] { target->load_state(bad, "ckpt"); }), ErrorKind::kFormat) << "byte " << i;
  }
  EXPECT_EQ(error_kind([&] { target->load_state(state.substr(0, state.size() - 1), "ckpt"); }), ErrorKind::kFormat);
  EXPECT_EQ(error_kind([&] { target->load_state("", "ckpt"); }), ErrorKind::kFormat);
  EXPECT_EQ(target->save_state(), state);  // unchanged by the failed loads

  try {
    strategy(StrategyKind::kFedYogi)->load_state(state, "round-3.ckpt");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kFormat);
    EXPECT_EQ(e.location(), "round-3.ckpt");
    EXPECT_NE(std::string(e.what()).find("'fedadam'"), std::string::npos) << e.what();
  }
  // Stateless strategies save nothing and accept only nothing.
  std::unique_ptr<Strategy> avg = strategy(StrategyKind::kFedAvg);
  EXPECT_EQ(avg->save_state(), "");
  avg->load_state("", "ckpt");
  EXPECT_EQ(error_kind([&] { avg->load_state(state, "ckpt"); }), ErrorKind::kFormat);
}

TEST(FlStrategy, AdaptiveStateOfAnotherSizeIsRejectedAtAggregation) {
  std::unique_ptr<Strategy> adam = strategy(StrategyKind::kFedAdam);
  Weights two = {1, 2};
  adam->aggregate({update("a", {0.1f, 0.2f})}, two);
  Weights three = {1, 2, 3};
  EXPECT_EQ(error_kind([&] { adam->aggregate({update("a", {0.1f, 0.2f, 0.3f})}, three); }), ErrorKind::kInvalid);
  EXPECT_EQ(three, (Weights{1, 2, 3}));
}

TEST(FlStrategy, BadSettingsAndBadUpdatesAreRejected) {
  auto config_error = [](auto change) {
    StrategyConfig config;
    change(config);
    return error_kind([&] { make_strategy(config); });
  };
  EXPECT_EQ(config_error([](StrategyConfig& c) { c.max_update_norm = -1; }), ErrorKind::kUsage);
  EXPECT_EQ(config_error([](StrategyConfig& c) { c.proximal_mu = -0.1; }), ErrorKind::kUsage);
  EXPECT_EQ(config_error([](StrategyConfig& c) { c.kind = StrategyKind::kFedAdam, c.tau = 0; }), ErrorKind::kUsage);
  EXPECT_EQ(config_error([](StrategyConfig& c) { c.kind = StrategyKind::kFedYogi, c.beta2 = 1; }), ErrorKind::kUsage);
  EXPECT_EQ(config_error([](StrategyConfig& c) { c.kind = StrategyKind::kFedAdam, c.server_learning_rate = 0; }),
            ErrorKind::kUsage);
  EXPECT_EQ(config_error([](StrategyConfig& c) { c.kind = StrategyKind::kTrimmedMean, c.trim_fraction = 0.5; }),
            ErrorKind::kUsage);
  EXPECT_EQ(config_error([](StrategyConfig& c) { c.kind = StrategyKind::kKrum, c.krum_byzantine = -1; }),
            ErrorKind::kUsage);

  Weights global = {1, 2};
  for (int i = 0; i < static_cast<int>(StrategyKind::kCount); ++i) {
    std::unique_ptr<Strategy> s = strategy(static_cast<StrategyKind>(i));
    EXPECT_EQ(error_kind([&] { s->aggregate({}, global); }), ErrorKind::kInvalid);
    EXPECT_EQ(error_kind([&] { s->aggregate({update("a", {1, 2, 3})}, global); }), ErrorKind::kInvalid);
    EXPECT_EQ(error_kind([&] { s->aggregate({update("a", {1, 2}, 0)}, global); }), ErrorKind::kInvalid);
    EXPECT_EQ(global, (Weights{1, 2}));
  }
}

}  // namespace
}  // namespace tinymlops::fl

#include "tinymlops/fl/simulator.h"

#include <gtest/gtest.h>

#include "fl_test_util.h"
#include "tinymlops/core/error.h"
#include "tinymlops/data/split.h"
#include "tinymlops/nn/model_file.h"

namespace tinymlops::fl {
namespace {

struct DigitsSplit {
  Dataset train, validation;
};

DigitsSplit split_digits() {
  Dataset data = testing::digits();
  SplitIndices split = split_dataset(data, 0.2, 0, 3);
  return {data.subset(split.train), data.subset(split.validation)};
}

SimulationConfig hundred_clients(UpdateEncoding encoding) {
  SimulationConfig config;
  config.clients = 100;
  config.server.rounds = 40;
  config.server.fraction = 0.1;
  config.server.min_clients = 2;
  config.server.min_updates = 2;
  config.server.local.epochs = 5;
  config.server.local.batch_size = 10;
  config.server.local.learning_rate = 0.1f;
  config.server.encoding = encoding;
  config.server.seed = 5;
  config.seed = 5;
  return config;
}

TEST(Simulator, FedAvgLearnsDigitsAndInt8UpdatesCostAQuarter) {
  DigitsSplit d = split_digits();
  SimulationResult f32 = simulate(testing::digits_model(d.train, 32), d.train, d.validation,
                                  hundred_clients(UpdateEncoding::kFloat32), {});
  SimulationResult i8 = simulate(testing::digits_model(d.train, 32), d.train, d.validation,
                                 hundred_clients(UpdateEncoding::kInt8), {});
  ASSERT_EQ(f32.rounds.size(), 40u);
  EXPECT_GT(f32.final_accuracy, 0.93);
  EXPECT_NEAR(i8.final_accuracy, f32.final_accuracy, 0.01);
  EXPECT_GT(f32.mean_bytes_per_round / i8.mean_bytes_per_round, 3.5);
  EXPECT_TRUE(f32.rejections.empty());
}

TEST(Simulator, SameSeedSameModelBytes) {
  DigitsSplit d = split_digits();
  SimulationConfig config = hundred_clients(UpdateEncoding::kInt8);
  config.server.rounds = 3;
  config.partition = parse_partition("dirichlet:0.3", "t");
  SimulationResult a = simulate(testing::digits_model(d.train), d.train, d.validation, config, {});
  SimulationResult b = simulate(testing::digits_model(d.train), d.train, d.validation, config, {});
  EXPECT_EQ(serialize_model(a.model), serialize_model(b.model));
}

TEST(Simulator, DroppedClientsCloseTheRoundAtItsTimeout) {
  DigitsSplit d = split_digits();
  SimulationConfig config = hundred_clients(UpdateEncoding::kFloat32);
  config.server.rounds = 5;
  config.dropout = 0.5;
  int dropped = 0;
  SimulationResult r = simulate(testing::digits_model(d.train), d.train, d.validation, config,
                                [&](const RoundRecord& record) { dropped += record.dropped; });
  EXPECT_GT(dropped, 0);
  EXPECT_EQ(r.rounds.size(), 5u);
}

TEST(Simulator, StopsAtTheTargetAccuracy) {
  DigitsSplit d = split_digits();
  SimulationConfig config = hundred_clients(UpdateEncoding::kFloat32);
  config.server.target_accuracy = 0.8;
  SimulationResult r = simulate(testing::digits_model(d.train, 32), d.train, d.validation, config, {});
  ASSERT_GT(r.rounds_to_target, 0);
  EXPECT_EQ(r.rounds.size(), static_cast<size_t>(r.rounds_to_target));
  EXPECT_GE(r.final_accuracy, 0.8);
}

TEST(Simulator, SecureAggregationWithDropoutsGivesTheFedAvgModel) {
  DigitsSplit d = split_digits();
  SimulationConfig config = hundred_clients(UpdateEncoding::kFloat32);
  config.clients = 10;
  config.server.fraction = 0.5;  // 5 per round
  config.server.rounds = 4;
  config.dropout = 0.25;         // some drop after sharing their keys
  config.server.min_clients = 3;
  config.server.min_updates = 3; // = the secure-aggregation threshold for 5 (a majority)
  int dropped = 0;
  SimulationResult plain = simulate(testing::digits_model(d.train), d.train, d.validation, config,
                                    [&](const RoundRecord& r) { dropped += r.dropped; });
  config.secure_aggregation = true;
  SimulationResult secure = simulate(testing::digits_model(d.train), d.train, d.validation, config, {});
  ASSERT_GT(dropped, 0);
  ASSERT_EQ(secure.rounds.size(), plain.rounds.size());
  for (size_t i = 0; i < plain.rounds.size(); ++i) {
    EXPECT_EQ(secure.rounds[i].counted, plain.rounds[i].counted);
    if (plain.rounds[i].counted) EXPECT_EQ(secure.rounds[i].accepted, plain.rounds[i].accepted);
  }
  // The sum is exact up to the 2^-16 fixed point of the masked encoding.
  Weights a = flatten_params(plain.model), b = flatten_params(secure.model);
  ASSERT_EQ(a.size(), b.size());
  for (size_t j = 0; j < a.size(); ++j) ASSERT_NEAR(a[j], b[j], 1e-3) << j;
  EXPECT_NEAR(secure.final_accuracy, plain.final_accuracy, 0.01);
}

TEST(Simulator, SecureAggregationRefusesRobustStrategies) {
  DigitsSplit d = split_digits();
  SimulationConfig config = hundred_clients(UpdateEncoding::kFloat32);
  config.clients = 6;
  config.server.fraction = 1;
  config.server.rounds = 1;
  config.server.strategy.kind = StrategyKind::kMedian;
  config.secure_aggregation = true;
  EXPECT_THROW(simulate(testing::digits_model(d.train), d.train, d.validation, config, {}), Error);
}

}  // namespace
}  // namespace tinymlops::fl

#include "tinymlops/fl/local_training.h"

#include <gtest/gtest.h>

#include "tinymlops/core/error.h"
#include "tinymlops/core/rng.h"
#include "tinymlops/nn/layer_spec.h"
#include "tinymlops/nn/trainer.h"

namespace tinymlops::fl {
namespace {

// Three Gaussian blobs in 4 dimensions, 120 rows.
Dataset blobs(uint64_t seed) {
  Dataset data;
  data.source = "blobs";
  data.task = Task::kClassification;
  data.feature_names = {"a", "b", "c", "d"};
  data.label_name = "y";
  data.class_names = {"0", "1", "2"};
  Rng rng(seed);
  data.features.resize(120, 4);
  for (int i = 0; i < 120; ++i) {
    const int c = i % 3;
    for (int f = 0; f < 4; ++f) data.features(i, f) = (f == c ? 2.0f : 0.0f) + 0.7f * rng.normal();
    data.classes.push_back(c);
    data.line_numbers.push_back(i + 2);
  }
  return data;
}

Model mlp(uint64_t seed) {
  Model model(Shape{{4}});
  add_layers(model, parse_layer_specs("dense:8:tanh,dense:3,softmax"));
  model.build(Initializer::kGlorotUniform, seed);
  return model;
}

LocalTrainConfig config(int epochs, uint64_t seed) {
  LocalTrainConfig c;
  c.epochs = epochs;
  c.batch_size = 16;
  c.seed = seed;
  return c;
}

TEST(FlLocalTraining, ReturnsLocalMinusGlobalAndTheSampleCount) {
  const Dataset data = blobs(1);
  Model model = mlp(1);
  const Weights global = flatten_params(model);
  const ClientUpdate u = train_locally(model, data, config(2, 1), "client-3");
  EXPECT_EQ(u.client, "client-3");
  EXPECT_EQ(u.samples, 120);
  const Weights local = flatten_params(model);
  ASSERT_EQ(u.delta.size(), global.size());
  for (size_t j = 0; j < global.size(); ++j) EXPECT_EQ(u.delta[j], local[j] - global[j]);
  EXPECT_GT(l2_norm(u.delta), 0);
  EXPECT_GT(u.train_loss, 0);
}

TEST(FlLocalTraining, LowersTheLoss) {
  const Dataset data = blobs(2);
  Model model = mlp(2);
  const double before = evaluate_loss(model, data, LossKind::kCrossEntropy).loss;
  const ClientUpdate u = train_locally(model, data, config(10, 2), "c");
  const Evaluation after = evaluate_loss(model, data, LossKind::kCrossEntropy);
  EXPECT_LT(after.loss, 0.7 * before);
  EXPECT_GT(after.metric, 0.8);
  EXPECT_LT(u.train_loss, before);
}

TEST(FlLocalTraining, DeterministicForASeed) {
  const Dataset data = blobs(3);
  auto run = [&](uint64_t seed) {
    Model model = mlp(3);
    return train_locally(model, data, config(2, seed), "c").delta;
  };
  EXPECT_EQ(run(7), run(7));
  EXPECT_NE(run(7), run(8));
}

TEST(FlLocalTraining, FedProxPullsTheLocalWeightsTowardTheGlobalOnes) {
  const Dataset data = blobs(4);
  auto distance = [&](double mu) {
    Model model = mlp(4);
    LocalTrainConfig c = config(10, 4);
    c.proximal_mu = mu;
    return l2_norm(train_locally(model, data, c, "c").delta);
  };
  const double free = distance(0), small = distance(0.1), strong = distance(2);
  EXPECT_LT(small, free);
  EXPECT_LT(strong, small);
  EXPECT_LT(strong, 0.6 * free);
}

// The proximal gradient mu (w - w_global) is zero at the global weights: one
// full-batch step is plain SGD's, bit for bit; from the second step on it
// shrinks the move.
TEST(FlLocalTraining, ProximalTermIsZeroAtTheGlobalWeights) {
  const Dataset data = blobs(5);
  LocalTrainConfig c = config(1, 5);
  c.batch_size = 1000;  // one full-batch step
  Model plain = mlp(5), prox = mlp(5);
  const Weights a = train_locally(plain, data, c, "c").delta;
  c.proximal_mu = 5;
  const Weights b = train_locally(prox, data, c, "c").delta;
  EXPECT_EQ(a, b);
  c.epochs = 2;  // second step: w != w_global, the proximal gradient shrinks the move
  Model plain2 = mlp(5), prox2 = mlp(5);
  const double with = l2_norm(train_locally(prox2, data, c, "c").delta);
  c.proximal_mu = 0;
  const double without = l2_norm(train_locally(plain2, data, c, "c").delta);
  EXPECT_LT(with, without);
}

// y = 2x + 0.5 on 64 points of [-1, 1).
Dataset line() {
  Dataset data;
  data.source = "line";
  data.task = Task::kRegression;
  data.feature_names = {"x"};
  data.features = Matrix(64, 1);
  data.values.resize(64);
  for (int i = 0; i < 64; ++i) {
    data.features(i, 0) = static_cast<float>(i) / 32.0f - 1.0f;
    data.values[i] = 2 * data.features(i, 0) + 0.5f;
  }
  return data;
}

Model linear() {
  Model model(Shape{{1}});
  add_layers(model, parse_layer_specs("dense:1"));
  model.build(Initializer::kGlorotUniform, 1);
  return model;
}

TEST(FlLocalTraining, RegressionUsesMse) {
  const Dataset data = line();
  Model model = linear();
  const double before = evaluate_loss(model, data, LossKind::kMse).loss;
  train_locally(model, data, config(20, 1), "c");
  EXPECT_LT(evaluate_loss(model, data, LossKind::kMse).loss, 0.1 * before);
}

TEST(FlLocalTraining, BadSettingsDataAndDivergenceAreErrors) {
  const Dataset data = blobs(6);
  Model model = mlp(6);
  LocalTrainConfig c = config(1, 1);
  c.proximal_mu = -1;
  try {
    train_locally(model, data, c, "client-9");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
    EXPECT_EQ(e.location(), "client-9");
  }
  c.proximal_mu = 0;
  EXPECT_THROW(train_locally(model, data.subset({}), c, "c"), Error);  // no rows
  c.learning_rate = 1e30f;  // least squares diverges
  Model diverging = linear();
  try {
    train_locally(diverging, line(), c, "client-9");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalid);
    EXPECT_NE(std::string(e.what()).find("diverged"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tinymlops::fl

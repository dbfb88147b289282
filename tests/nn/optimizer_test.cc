#include "tinymlops/nn/optimizer.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tinymlops/nn/schedule.h"

namespace tinymlops {
namespace {

Param scalar_param(float value) {
  Param p;
  p.name = "w";
  p.shape = {1};
  p.value = Eigen::VectorXf::Constant(1, value);
  p.grad = Eigen::VectorXf::Zero(1);
  return p;
}

// Minimizes f(w) = (w - 3)^2 and returns w after `steps` steps.
float minimize(const OptimizerConfig& config, float lr, int steps) {
  Param p = scalar_param(0.0f);
  auto optimizer = Optimizer::create(config);
  for (int i = 0; i < steps; ++i) {
    p.grad[0] = 2 * (p.value[0] - 3);
    optimizer->step({&p}, lr);
  }
  return p.value[0];
}

TEST(Optimizer, EveryKindConvergesOnAQuadratic) {
  for (int i = 0; i < static_cast<int>(OptimizerKind::kCount); ++i) {
    OptimizerConfig config;
    config.kind = static_cast<OptimizerKind>(i);
    config.weight_decay = 0;
    EXPECT_NEAR(minimize(config, config.kind == OptimizerKind::kSgd ? 0.1f : 0.05f, 2000), 3.0f, 0.05f)
        << optimizer_name(config.kind);
  }
}

TEST(Optimizer, SgdMomentumAndNesterovExactSteps) {
  OptimizerConfig config;
  config.kind = OptimizerKind::kSgd;
  config.momentum = 0.5f;
  Param p = scalar_param(1.0f);
  auto sgd = Optimizer::create(config);
  p.grad[0] = 1.0f;
  sgd->step({&p}, 0.1f);  // v = 1, w = 1 - 0.1
  EXPECT_FLOAT_EQ(p.value[0], 0.9f);
  sgd->step({&p}, 0.1f);  // v = 0.5 + 1 = 1.5, w = 0.9 - 0.15
  EXPECT_FLOAT_EQ(p.value[0], 0.75f);

  config.nesterov = true;
  Param q = scalar_param(1.0f);
  auto nesterov = Optimizer::create(config);
  q.grad[0] = 1.0f;
  nesterov->step({&q}, 0.1f);  // v = 1, step = g + 0.5 v = 1.5
  EXPECT_FLOAT_EQ(q.value[0], 0.85f);
}

TEST(Optimizer, AdamFirstStepIsLearningRateTimesSign) {
  OptimizerConfig config;
  Param p = scalar_param(1.0f);
  auto adam = Optimizer::create(config);
  p.grad[0] = 0.25f;
  adam->step({&p}, 0.01f);
  EXPECT_NEAR(p.value[0], 0.99f, 1e-5);
}

TEST(Optimizer, AdamWDecaysWeightsButNotBiases) {
  OptimizerConfig config;
  config.kind = OptimizerKind::kAdamW;
  config.weight_decay = 0.1f;
  Param weight = scalar_param(2.0f), bias = scalar_param(2.0f);
  bias.decays = false;
  auto adamw = Optimizer::create(config);
  adamw->step({&weight, &bias}, 0.1f);  // zero gradient: only the decay acts
  EXPECT_FLOAT_EQ(weight.value[0], 2.0f - 0.1f * 0.1f * 2.0f);
  EXPECT_FLOAT_EQ(bias.value[0], 2.0f);
}

TEST(Optimizer, StateParamsAreNotUpdated) {
  Param state = scalar_param(5.0f);
  state.trainable = false;
  state.grad[0] = 100;
  auto adam = Optimizer::create(OptimizerConfig{});
  adam->step({&state}, 0.1f);
  EXPECT_EQ(state.value[0], 5.0f);
}

TEST(Schedule, ShapesOfEachSchedule) {
  ScheduleConfig step{ScheduleKind::kStep, 10, 0.5f};
  EXPECT_FLOAT_EQ(scheduled_learning_rate(step, 1.0f, 0, 100, 9), 1.0f);
  EXPECT_FLOAT_EQ(scheduled_learning_rate(step, 1.0f, 0, 100, 25), 0.25f);

  ScheduleConfig cosine{ScheduleKind::kCosine};
  cosine.min_fraction = 0.1f;
  EXPECT_FLOAT_EQ(scheduled_learning_rate(cosine, 1.0f, 0, 101, 0), 1.0f);
  EXPECT_NEAR(scheduled_learning_rate(cosine, 1.0f, 50, 101, 0), 0.55f, 1e-6);
  EXPECT_NEAR(scheduled_learning_rate(cosine, 1.0f, 100, 101, 0), 0.1f, 1e-6);

  ScheduleConfig one_cycle{ScheduleKind::kOneCycle};
  EXPECT_NEAR(scheduled_learning_rate(one_cycle, 1.0f, 0, 101, 0), 1.0f / 25, 1e-6);
  EXPECT_NEAR(scheduled_learning_rate(one_cycle, 1.0f, 30, 101, 0), 1.0f, 1e-6);
  EXPECT_NEAR(scheduled_learning_rate(one_cycle, 1.0f, 100, 101, 0), 1e-4f, 1e-6);
}

}  // namespace
}  // namespace tinymlops

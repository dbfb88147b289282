// Initializers (layer.h): each draws from the distribution its comment states.
#include <gtest/gtest.h>

#include <cmath>

#include "tinymlops/core/error.h"
#include "tinymlops/core/rng.h"
#include "tinymlops/nn/layer.h"

namespace tinymlops {
namespace {

struct Moments {
  double mean = 0, stddev = 0, min = 0, max = 0;
};

Moments draw(Initializer init, int64_t fan_in, int64_t fan_out) {
  Rng rng(42);
  Eigen::VectorXf values(20000);
  initialize(init, fan_in, fan_out, rng, values);
  Moments m;
  m.mean = values.cast<double>().mean();
  m.stddev = std::sqrt((values.cast<double>().array() - m.mean).square().mean());
  m.min = values.minCoeff();
  m.max = values.maxCoeff();
  return m;
}

TEST(Initializer, GlorotUniformStaysInsideItsLimit) {
  Moments m = draw(Initializer::kGlorotUniform, 40, 20);
  double limit = std::sqrt(6.0 / 60);
  EXPECT_GE(m.min, -limit);
  EXPECT_LT(m.max, limit);
  EXPECT_GT(m.max, 0.99 * limit);
  EXPECT_NEAR(m.stddev, limit / std::sqrt(3.0), 0.01 * limit);
  EXPECT_NEAR(m.mean, 0.0, 0.01 * limit);
}

TEST(Initializer, HeNormalHasVarianceTwoOverFanIn) {
  Moments m = draw(Initializer::kHeNormal, 50, 10);
  EXPECT_NEAR(m.stddev, std::sqrt(2.0 / 50), 0.01 * std::sqrt(2.0 / 50) * 2);
  EXPECT_NEAR(m.mean, 0.0, 0.01);
}

TEST(Initializer, NormalAndUniformUseTheFixedScale) {
  Moments normal = draw(Initializer::kNormal, 5, 5);
  EXPECT_NEAR(normal.stddev, 0.05, 0.001);
  Moments uniform = draw(Initializer::kUniform, 5, 5);
  EXPECT_GE(uniform.min, -0.05);
  EXPECT_LT(uniform.max, 0.05);
  EXPECT_NEAR(uniform.stddev, 0.05 / std::sqrt(3.0), 0.001);
}

TEST(Initializer, NamesRoundTripAndUnknownIsAUsageError) {
  for (int i = 0; i < static_cast<int>(Initializer::kCount); ++i) {
    auto init = static_cast<Initializer>(i);
    EXPECT_EQ(parse_initializer(initializer_name(init)), init);
  }
  EXPECT_THROW(parse_initializer("xavier"), Error);
}

}  // namespace
}  // namespace tinymlops

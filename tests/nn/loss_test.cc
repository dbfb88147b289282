#include "tinymlops/nn/loss.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tinymlops/core/rng.h"

namespace tinymlops {
namespace {

// Central finite differences of compute_loss against its analytic gradient.
void expect_gradient_matches(LossKind kind, const Matrix& prediction, const BatchTargets& targets) {
  Matrix grad;
  compute_loss(kind, prediction, targets, &grad);
  const float h = 1e-3f;
  for (Eigen::Index i = 0; i < prediction.size(); ++i) {
    Matrix plus = prediction, minus = prediction;
    plus.data()[i] += h;
    minus.data()[i] -= h;
    double numeric = (compute_loss(kind, plus, targets, nullptr) - compute_loss(kind, minus, targets, nullptr)) / (2 * h);
    EXPECT_NEAR(grad.data()[i], numeric, 2e-3 + 1e-2 * std::fabs(numeric)) << loss_name(kind) << " at " << i;
  }
}

Matrix random_loss_matrix(int rows, int cols, uint64_t seed) {
  Rng rng(seed);
  Matrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = rng.uniform(-2, 2);
  return m;
}

TEST(Loss, RegressionGradientsMatchFiniteDifferences) {
  BatchTargets targets;
  targets.values = random_loss_matrix(4, 2, 1);
  Matrix prediction = random_loss_matrix(4, 2, 2);
  prediction(0, 0) = targets.values(0, 0) + 0.3f;  // keep Huber/MAE away from their kinks
  for (LossKind kind : {LossKind::kMse, LossKind::kMae, LossKind::kHuber}) {
    expect_gradient_matches(kind, prediction, targets);
  }
}

TEST(Loss, CrossEntropyGradientsMatchFiniteDifferencesWithWeights) {
  BatchTargets targets;
  targets.classes = {0, 2, 1, 2};
  targets.weights = Eigen::VectorXf::Map(std::vector<float>{1, 2, 0.5f, 1}.data(), 4);
  expect_gradient_matches(LossKind::kCrossEntropy, random_loss_matrix(4, 3, 3), targets);
  targets.classes = {0, 1, 1, 0};
  expect_gradient_matches(LossKind::kBinaryCrossEntropy, random_loss_matrix(4, 1, 4), targets);
}

TEST(Loss, DistillationGradientsMatchFiniteDifferences) {
  BatchTargets targets;
  targets.classes = {0, 2, 1, 2};
  targets.weights = Eigen::VectorXf::Map(std::vector<float>{1, 2, 0.5f, 1}.data(), 4);
  targets.teacher = random_loss_matrix(4, 3, 5);
  for (float alpha : {0.0f, 0.3f, 1.0f}) {
    for (float temperature : {1.0f, 4.0f}) {
      targets.alpha = alpha;
      targets.temperature = temperature;
      expect_gradient_matches(LossKind::kCrossEntropy, random_loss_matrix(4, 3, 6), targets);
    }
  }
  BatchTargets regression;
  regression.values = random_loss_matrix(4, 1, 7);
  regression.teacher = random_loss_matrix(4, 1, 8);
  regression.alpha = 0.25f;
  expect_gradient_matches(LossKind::kMse, random_loss_matrix(4, 1, 9), regression);
}

TEST(Loss, DistillationKnownValues) {
  // A student equal to its teacher has no soft loss; with alpha 0 nothing else.
  BatchTargets targets;
  targets.classes = {1};
  targets.teacher = Matrix::Constant(1, 3, 0.5f);
  targets.teacher(0, 2) = 2.0f;
  targets.alpha = 0;
  targets.temperature = 3;
  Matrix grad;
  EXPECT_NEAR(compute_loss(LossKind::kCrossEntropy, targets.teacher, targets, &grad), 0.0, 1e-9);
  EXPECT_NEAR(grad.cwiseAbs().maxCoeff(), 0.0f, 1e-7f);
  // T^2 KL(q || p) for q = softmax(t / T), p = uniform.
  Matrix uniform = Matrix::Zero(1, 3);
  const double e = std::exp(1.5 / 3), q0 = 1 / (2 + e), q2 = e / (2 + e);
  const double kl = 2 * q0 * std::log(q0 * 3) + q2 * std::log(q2 * 3);
  EXPECT_NEAR(compute_loss(LossKind::kCrossEntropy, uniform, targets, nullptr), 9 * kl, 1e-6);
}

TEST(Loss, KnownValues) {
  BatchTargets regression;
  regression.values = Matrix::Constant(2, 1, 1.0f);
  Matrix prediction(2, 1);
  prediction << 3.0f, 1.0f;  // errors 2 and 0
  EXPECT_NEAR(compute_loss(LossKind::kMse, prediction, regression, nullptr), 2.0, 1e-6);
  EXPECT_NEAR(compute_loss(LossKind::kMae, prediction, regression, nullptr), 1.0, 1e-6);
  EXPECT_NEAR(compute_loss(LossKind::kHuber, prediction, regression, nullptr), 0.75, 1e-6);

  BatchTargets classes;
  classes.classes = {1};
  Matrix logits(1, 2);
  logits << 0.0f, 0.0f;  // p = 0.5 each
  EXPECT_NEAR(compute_loss(LossKind::kCrossEntropy, logits, classes, nullptr), std::log(2.0), 1e-6);
  // Huge logits stay finite (log-sum-exp).
  logits << 1000.0f, -1000.0f;
  EXPECT_NEAR(compute_loss(LossKind::kCrossEntropy, logits, classes, nullptr), 2000.0, 1e-3);
}

TEST(Loss, NamesRoundTrip) {
  for (int i = 0; i < static_cast<int>(LossKind::kCount); ++i) {
    LossKind kind = static_cast<LossKind>(i);
    EXPECT_EQ(parse_loss(loss_name(kind)), kind);
  }
  EXPECT_THROW(parse_loss("hinge"), std::exception);
}

}  // namespace
}  // namespace tinymlops

#include "tinymlops/nn/metrics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tinymlops {
namespace {

TEST(Metrics, ClassificationByHand) {
  // truth:     0 0 1 1 2
  // predicted: 0 1 1 1 0
  std::vector<int> truth = {0, 0, 1, 1, 2};
  Matrix p(5, 3);
  p << 0.8f, 0.1f, 0.1f,  //
      0.3f, 0.6f, 0.1f,   //
      0.1f, 0.8f, 0.1f,   //
      0.2f, 0.7f, 0.1f,   //
      0.5f, 0.3f, 0.2f;
  ClassificationMetrics m = classification_metrics(truth, p);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.6);
  // precision: c0 1/2, c1 2/3, c2 0 -> mean 7/18; recall: 1/2, 1, 0 -> 1/2
  EXPECT_NEAR(m.precision_macro, 7.0 / 18, 1e-12);
  EXPECT_NEAR(m.recall_macro, 0.5, 1e-12);
  EXPECT_NEAR(m.f1_macro, (0.5 + 0.8 + 0.0) / 3, 1e-12);
  double log_loss = -(std::log(0.8) + std::log(0.3) + std::log(0.8) + std::log(0.7) + std::log(0.2)) / 5;
  EXPECT_NEAR(m.log_loss, log_loss, 1e-6);
  EXPECT_EQ(m.confusion[0][1], 1);
  EXPECT_EQ(m.confusion[2][0], 1);
  EXPECT_EQ(m.confusion[1][1], 2);
}

TEST(Metrics, BinarySingleColumn) {
  Matrix p(3, 1);
  p << 0.9f, 0.2f, 0.6f;
  ClassificationMetrics m = classification_metrics({1, 0, 0}, p);
  EXPECT_NEAR(m.accuracy, 2.0 / 3, 1e-12);
  std::vector<int> classes;
  std::vector<float> confidence;
  argmax_rows(p, &classes, &confidence);
  EXPECT_EQ(classes, (std::vector<int>{1, 0, 1}));
  EXPECT_FLOAT_EQ(confidence[1], 0.8f);
}

TEST(Metrics, RegressionByHand) {
  Eigen::VectorXf truth(4), predicted(4);
  truth << 1, 2, 3, 4;
  predicted << 1, 2, 3, 6;
  RegressionMetrics m = regression_metrics(truth, predicted);
  EXPECT_DOUBLE_EQ(m.mse, 1.0);
  EXPECT_DOUBLE_EQ(m.rmse, 1.0);
  EXPECT_DOUBLE_EQ(m.mae, 0.5);
  EXPECT_DOUBLE_EQ(m.r2, 1 - 4.0 / 5.0);
}

}  // namespace
}  // namespace tinymlops

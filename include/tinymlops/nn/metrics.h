// Evaluation metrics for classification and regression.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "tinymlops/data/dataset.h"

namespace tinymlops {

struct ClassificationMetrics {
  double accuracy = 0;
  double precision_macro = 0;  // unweighted mean over classes; a class never predicted counts 0
  double recall_macro = 0;     // unweighted mean over classes present in the truth
  double f1_macro = 0;         // mean of per-class F1
  double log_loss = 0;         // mean -log p[true class], p clipped to [1e-15, 1]
  std::vector<std::vector<int64_t>> confusion;  // [true][predicted]
};

// REQUIRES: probabilities.rows() == truth.size(), probabilities.cols() == num_classes >= 2
// (a single column is read as P(class 1) of a binary problem).
ClassificationMetrics classification_metrics(const std::vector<int>& truth, const Matrix& probabilities);

struct RegressionMetrics {
  double mse = 0, rmse = 0, mae = 0;
  double r2 = 0;  // 1 - SS_res / SS_tot; 0 when the truth is constant
};

// REQUIRES: truth.size() == predicted.size() > 0.
RegressionMetrics regression_metrics(const Eigen::VectorXf& truth, const Eigen::VectorXf& predicted);

// {"accuracy", "precision_macro", "recall_macro", "f1_macro", "log_loss", "confusion"}
nlohmann::ordered_json to_json(const ClassificationMetrics& metrics);
// {"mse", "rmse", "mae", "r2"}
nlohmann::ordered_json to_json(const RegressionMetrics& metrics);

// The class with the highest probability per row (the first on ties), and that probability.
// A single column is a binary P(class 1): class = p >= 0.5, confidence = max(p, 1 - p).
void argmax_rows(const Matrix& probabilities, std::vector<int>* classes, std::vector<float>* confidences);

}  // namespace tinymlops

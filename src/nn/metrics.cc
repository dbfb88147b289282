#include "tinymlops/nn/metrics.h"

#include <algorithm>
#include <cmath>

namespace tinymlops {

void argmax_rows(const Matrix& probabilities, std::vector<int>* classes, std::vector<float>* confidences) {
  const Eigen::Index n = probabilities.rows();
  classes->resize(static_cast<size_t>(n));
  if (confidences) confidences->resize(static_cast<size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) {
    int best;
    float confidence;
    if (probabilities.cols() == 1) {
      float p = probabilities(i, 0);
      best = p >= 0.5f ? 1 : 0;
      confidence = std::max(p, 1 - p);
    } else {
      Eigen::Index index;
      confidence = probabilities.row(i).maxCoeff(&index);
      best = static_cast<int>(index);
    }
    (*classes)[static_cast<size_t>(i)] = best;
    if (confidences) (*confidences)[static_cast<size_t>(i)] = confidence;
  }
}

ClassificationMetrics classification_metrics(const std::vector<int>& truth, const Matrix& probabilities) {
  const int k = probabilities.cols() == 1 ? 2 : static_cast<int>(probabilities.cols());
  ClassificationMetrics m;
  m.confusion.assign(static_cast<size_t>(k), std::vector<int64_t>(static_cast<size_t>(k), 0));
  std::vector<int> predicted;
  argmax_rows(probabilities, &predicted, nullptr);
  double log_loss = 0;
  int64_t correct = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    const int t = truth[i];
    m.confusion[static_cast<size_t>(t)][static_cast<size_t>(predicted[i])]++;
    correct += predicted[i] == t;
    const Eigen::Index row = static_cast<Eigen::Index>(i);
    double p = probabilities.cols() == 1 ? (t == 1 ? probabilities(row, 0) : 1 - probabilities(row, 0))
                                         : probabilities(row, t);
    log_loss -= std::log(std::clamp(p, 1e-15, 1.0));
  }
  const double n = static_cast<double>(truth.size());
  m.accuracy = static_cast<double>(correct) / n;
  m.log_loss = log_loss / n;
  int present = 0;
  for (int c = 0; c < k; ++c) {
    int64_t tp = m.confusion[c][c], predicted_c = 0, actual_c = 0;
    for (int j = 0; j < k; ++j) {
      predicted_c += m.confusion[j][c];
      actual_c += m.confusion[c][j];
    }
    if (actual_c == 0) continue;  // a class absent from the truth does not count
    ++present;
    double precision = predicted_c ? static_cast<double>(tp) / static_cast<double>(predicted_c) : 0.0;
    double recall = static_cast<double>(tp) / static_cast<double>(actual_c);
    m.precision_macro += precision;
    m.recall_macro += recall;
    m.f1_macro += precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
  }
  if (present) {
    m.precision_macro /= present;
    m.recall_macro /= present;
    m.f1_macro /= present;
  }
  return m;
}

RegressionMetrics regression_metrics(const Eigen::VectorXf& truth, const Eigen::VectorXf& predicted) {
  RegressionMetrics m;
  const double n = static_cast<double>(truth.size());
  double mean = truth.cast<double>().mean();
  double ss_res = 0, ss_tot = 0, abs_sum = 0;
  for (Eigen::Index i = 0; i < truth.size(); ++i) {
    double d = static_cast<double>(predicted[i]) - truth[i];
    ss_res += d * d;
    abs_sum += std::fabs(d);
    ss_tot += (truth[i] - mean) * (truth[i] - mean);
  }
  m.mse = ss_res / n;
  m.rmse = std::sqrt(m.mse);
  m.mae = abs_sum / n;
  m.r2 = ss_tot > 0 ? 1 - ss_res / ss_tot : 0.0;
  return m;
}

nlohmann::ordered_json to_json(const ClassificationMetrics& m) {
  return {{"accuracy", m.accuracy},        {"precision_macro", m.precision_macro},
          {"recall_macro", m.recall_macro}, {"f1_macro", m.f1_macro},
          {"log_loss", m.log_loss},         {"confusion", m.confusion}};
}

nlohmann::ordered_json to_json(const RegressionMetrics& m) {
  return {{"mse", m.mse}, {"rmse", m.rmse}, {"mae", m.mae}, {"r2", m.r2}};
}

}  // namespace tinymlops

#include "tinymlops/nn/loss.h"

#include <cmath>

#include "tinymlops/core/error.h"

namespace tinymlops {

namespace {

constexpr const char* kLossNames[] = {"mse", "mae", "huber", "cross_entropy", "bce"};
static_assert(std::size(kLossNames) == static_cast<size_t>(LossKind::kCount));

float weight_of(const BatchTargets& targets, Eigen::Index i) {
  return targets.weights.size() ? targets.weights[i] : 1.0f;
}

// log(1 + e^x), stable for large |x|.
double log1p_exp(double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }

}  // namespace

const char* loss_name(LossKind kind) { return kLossNames[static_cast<int>(kind)]; }

LossKind parse_loss(const std::string& name) {
  for (size_t i = 0; i < std::size(kLossNames); ++i) {
    if (name == kLossNames[i]) return static_cast<LossKind>(i);
  }
  throw Error(ErrorKind::kUsage, "",
              "unknown loss '" + name + "' (known: mse, mae, huber, cross_entropy, bce)");
}

bool loss_is_classification(LossKind kind) {
  return kind == LossKind::kCrossEntropy || kind == LossKind::kBinaryCrossEntropy;
}

namespace {

// T^2 * KL(softmax(t / T) || softmax(z / T)) per sample, with its gradient
// T * (softmax(z / T) - softmax(t / T)) scaled by `scale`, added into `grad`.
double soft_cross_entropy(const Matrix& z, const Matrix& t, float temperature, const BatchTargets& targets,
                          float scale, Matrix* grad) {
  double total = 0;
  const auto softmax = [&](const auto& row, Eigen::VectorXd* out) {
    const double max = row.maxCoeff() / static_cast<double>(temperature);
    *out = (row.template cast<double>().transpose() / temperature).array() - max;
    *out = out->array().exp();
    *out /= out->sum();
  };
  Eigen::VectorXd p, q;
  for (Eigen::Index i = 0; i < z.rows(); ++i) {
    softmax(z.row(i), &p);
    softmax(t.row(i), &q);
    const double w = weight_of(targets, i);
    double kl = 0;
    for (Eigen::Index j = 0; j < z.cols(); ++j) {
      if (q[j] > 0) kl += q[j] * (std::log(q[j]) - std::log(std::max(p[j], 1e-300)));
    }
    total += w * temperature * temperature * kl;
    if (grad) {
      for (Eigen::Index j = 0; j < z.cols(); ++j) {
        (*grad)(i, j) += static_cast<float>(w * scale * temperature * (p[j] - q[j]));
      }
    }
  }
  return total;
}

}  // namespace

double compute_loss(LossKind kind, const Matrix& prediction, const BatchTargets& targets, Matrix* grad) {
  if (targets.teacher.size() > 0) {
    // alpha * hard + (1 - alpha) * soft.
    BatchTargets hard = targets;
    hard.teacher.resize(0, 0);
    const float alpha = targets.alpha, n = static_cast<float>(prediction.rows());
    double loss = 0;
    if (alpha > 0) {
      loss = alpha * compute_loss(kind, prediction, hard, grad);
      if (grad) *grad *= alpha;
    } else if (grad) {
      grad->setZero(prediction.rows(), prediction.cols());
    }
    if (kind == LossKind::kCrossEntropy) {
      loss += (1 - alpha) * soft_cross_entropy(prediction, targets.teacher, targets.temperature, targets,
                                               (1 - alpha) / n, grad) / n;
    } else {
      BatchTargets soft = hard;
      soft.values = targets.teacher;
      Matrix soft_grad;
      loss += (1 - alpha) * compute_loss(kind, prediction, soft, grad ? &soft_grad : nullptr);
      if (grad) *grad += (1 - alpha) * soft_grad;
    }
    return loss;
  }
  const Eigen::Index n = prediction.rows();
  const Eigen::Index k = prediction.cols();
  if (grad) grad->resize(n, k);
  double total = 0;
  const float inv_n = 1.0f / static_cast<float>(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const float w = weight_of(targets, i);
    switch (kind) {
      case LossKind::kMse:
      case LossKind::kMae:
      case LossKind::kHuber: {
        for (Eigen::Index j = 0; j < k; ++j) {
          float d = prediction(i, j) - targets.values(i, j);
          float loss, slope;
          if (kind == LossKind::kMse) {
            loss = d * d;
            slope = 2 * d;
          } else if (kind == LossKind::kMae) {
            loss = std::fabs(d);
            slope = static_cast<float>((d > 0) - (d < 0));
          } else if (std::fabs(d) <= 1) {
            loss = 0.5f * d * d;
            slope = d;
          } else {
            loss = std::fabs(d) - 0.5f;
            slope = static_cast<float>((d > 0) - (d < 0));
          }
          total += static_cast<double>(w) * loss / static_cast<double>(k);
          if (grad) (*grad)(i, j) = w * slope * inv_n / static_cast<float>(k);
        }
        break;
      }
      case LossKind::kCrossEntropy: {
        const int target = targets.classes[static_cast<size_t>(i)];
        const float max_logit = prediction.row(i).maxCoeff();
        double sum = 0;
        for (Eigen::Index j = 0; j < k; ++j) sum += std::exp(static_cast<double>(prediction(i, j) - max_logit));
        const double log_sum = std::log(sum) + max_logit;
        total += w * (log_sum - prediction(i, target));
        if (grad) {
          for (Eigen::Index j = 0; j < k; ++j) {
            float p = static_cast<float>(std::exp(prediction(i, j) - log_sum));
            (*grad)(i, j) = w * (p - (j == target ? 1.0f : 0.0f)) * inv_n;
          }
        }
        break;
      }
      case LossKind::kBinaryCrossEntropy: {
        const double z = prediction(i, 0);
        const double t = targets.classes[static_cast<size_t>(i)];
        total += w * (log1p_exp(z) - t * z);
        if (grad) (*grad)(i, 0) = w * static_cast<float>(1.0 / (1.0 + std::exp(-z)) - t) * inv_n;
        break;
      }
      case LossKind::kCount:
        break;
    }
  }
  return total / static_cast<double>(n);
}

}  // namespace tinymlops

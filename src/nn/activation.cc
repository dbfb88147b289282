#include <cmath>

#include "tinymlops/nn/layers.h"

namespace tinymlops {

namespace {

float default_alpha(ActivationKind function) {
  switch (function) {
    case ActivationKind::kLeakyRelu: return 0.01f;
    case ActivationKind::kElu: return 1.0f;
    default: return 0.0f;
  }
}

// Numerically stable log(1 + e^x).
float softplus(float x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }
float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

}  // namespace

Activation::Activation(ActivationKind function, float alpha)
    : function_(function), alpha_(alpha < 0 ? default_alpha(function) : alpha) {}

void Activation::build(const Shape& input, Initializer, Rng&) { input_shape_ = input; }

nlohmann::json Activation::config() const {
  nlohmann::json config = {{"function", activation_name(function_)}};
  if (function_ == ActivationKind::kLeakyRelu || function_ == ActivationKind::kElu) {
    config["alpha"] = alpha_;
  }
  return config;
}

void Activation::forward(const Matrix& input, Matrix& output, const ForwardContext&) {
  auto x = input.array();
  switch (function_) {
    case ActivationKind::kLinear: output = input; return;
    case ActivationKind::kRelu: output = x.max(0.0f).matrix(); return;
    case ActivationKind::kRelu6: output = x.max(0.0f).min(6.0f).matrix(); return;
    case ActivationKind::kLeakyRelu: output = (x > 0).select(x, alpha_ * x).matrix(); return;
    case ActivationKind::kElu: output = (x > 0).select(x, alpha_ * (x.exp() - 1)).matrix(); return;
    case ActivationKind::kSigmoid: output = input.unaryExpr(&sigmoid); return;
    case ActivationKind::kTanh: output = x.tanh().matrix(); return;
    case ActivationKind::kSoftplus: output = input.unaryExpr(&softplus); return;
    case ActivationKind::kSwish: output = (x * input.unaryExpr(&sigmoid).array()).matrix(); return;
    case ActivationKind::kSoftmax: {
      output.resize(input.rows(), input.cols());
      for (Eigen::Index r = 0; r < input.rows(); ++r) {
        auto row = output.row(r).array();
        row = (input.row(r).array() - input.row(r).maxCoeff()).exp();
        row /= row.sum();
      }
      return;
    }
    case ActivationKind::kCount: break;
  }
}

void Activation::backward(const Matrix& input, const Matrix& output, const Matrix& grad_output,
                          Matrix* grad_input) {
  if (!grad_input) return;
  auto x = input.array();
  auto y = output.array();
  auto g = grad_output.array();
  Matrix& gi = *grad_input;
  switch (function_) {
    case ActivationKind::kLinear: gi = grad_output; return;
    case ActivationKind::kRelu: gi = (x > 0).select(g, 0.0f).matrix(); return;
    case ActivationKind::kRelu6: gi = (x > 0 && x < 6).select(g, 0.0f).matrix(); return;
    case ActivationKind::kLeakyRelu: gi = (x > 0).select(g, alpha_ * g).matrix(); return;
    case ActivationKind::kElu: gi = (x > 0).select(g, g * (y + alpha_)).matrix(); return;
    case ActivationKind::kSigmoid: gi = (g * y * (1 - y)).matrix(); return;
    case ActivationKind::kTanh: gi = (g * (1 - y * y)).matrix(); return;
    case ActivationKind::kSoftplus: gi = (g * input.unaryExpr(&sigmoid).array()).matrix(); return;
    case ActivationKind::kSwish: {
      Matrix s = input.unaryExpr(&sigmoid);
      gi = (g * (s.array() + x * s.array() * (1 - s.array()))).matrix();
      return;
    }
    case ActivationKind::kSoftmax: {
      gi.resize(grad_output.rows(), grad_output.cols());
      for (Eigen::Index r = 0; r < grad_output.rows(); ++r) {
        float dot = grad_output.row(r).dot(output.row(r));
        gi.row(r) = (output.row(r).array() * (grad_output.row(r).array() - dot)).matrix();
      }
      return;
    }
    case ActivationKind::kCount: break;
  }
}

}  // namespace tinymlops

// Flatten and Dropout: layers that move values without weights.
#include "tinymlops/core/error.h"
#include "tinymlops/nn/layers.h"

namespace tinymlops {

void Flatten::build(const Shape& input, Initializer, Rng&) { input_shape_ = input; }

void Flatten::forward(const Matrix& input, Matrix& output, const ForwardContext&) { output = input; }

void Flatten::backward(const Matrix&, const Matrix&, const Matrix& grad_output, Matrix* grad_input) {
  if (grad_input) *grad_input = grad_output;
}

Dropout::Dropout(float rate) : rate_(rate) {
  if (!(rate >= 0 && rate < 1)) {
    throw Error(ErrorKind::kInvalid, "dropout", "rate must be in [0, 1), got " + std::to_string(rate));
  }
}

void Dropout::build(const Shape& input, Initializer, Rng&) { input_shape_ = input; }

void Dropout::forward(const Matrix& input, Matrix& output, const ForwardContext& context) {
  if (!context.training || rate_ == 0) {
    output = input;
    mask_.resize(0, 0);
    return;
  }
  const float keep_scale = 1.0f / (1.0f - rate_);
  mask_.resize(input.rows(), input.cols());
  float* mask = mask_.data();
  for (Eigen::Index i = 0; i < mask_.size(); ++i) {
    mask[i] = context.rng->uniform() < rate_ ? 0.0f : keep_scale;
  }
  output = input.cwiseProduct(mask_);
}

void Dropout::backward(const Matrix&, const Matrix&, const Matrix& grad_output, Matrix* grad_input) {
  if (!grad_input) return;
  *grad_input = mask_.size() ? grad_output.cwiseProduct(mask_) : grad_output;
}

}  // namespace tinymlops

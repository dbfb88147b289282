// BatchNorm over the last dimension.
//
// Contract (see layers.h): the batch (N rows of size S, last dimension F) is
// viewed as an (N * S / F) x F matrix, so statistics run over samples and, for
// images or sequences, over positions too: one mean and variance per channel.
// A training forward keeps x-hat in normalized_ and 1 / sqrt(var + eps) in
// batch_inv_std_ for backward, and updates the running statistics; an inference
// forward uses the running statistics and leaves the caches alone.
#include <cmath>
#include <string>

#include "tinymlops/core/error.h"
#include "tinymlops/nn/layers.h"

namespace tinymlops {

namespace {

using MatrixMap = Eigen::Map<Matrix>;
using ConstMatrixMap = Eigen::Map<const Matrix>;

// Same helper as in dense.cc, plus trainability: names, shapes and zeroes a Param.
void allocate(Param& param, std::string name, int size, bool trainable, float value) {
  param.name = std::move(name);
  param.shape = {size};
  param.value = Eigen::VectorXf::Constant(size, value);
  param.grad = Eigen::VectorXf::Zero(size);
  param.trainable = trainable;
  param.decays = false;
}

}  // namespace

BatchNorm::BatchNorm(float momentum, float epsilon) : momentum_(momentum), epsilon_(epsilon) {
  if (!(momentum >= 0 && momentum < 1)) {
    throw Error(ErrorKind::kInvalid, "batchnorm", "momentum must be in [0, 1), got " + std::to_string(momentum));
  }
  if (!(epsilon > 0)) {
    throw Error(ErrorKind::kInvalid, "batchnorm", "epsilon must be positive, got " + std::to_string(epsilon));
  }
}

void BatchNorm::build(const Shape& input, Initializer, Rng&) {
  if (input.rank() < 1) throw Error(ErrorKind::kInvalid, "batchnorm", "expects a non-scalar input");
  input_shape_ = input;
  const int features = input.dims.back();
  allocate(gamma_, "gamma", features, true, 1.0f);
  allocate(beta_, "beta", features, true, 0.0f);
  allocate(running_mean_, "running_mean", features, false, 0.0f);
  allocate(running_var_, "running_var", features, false, 1.0f);
}

void BatchNorm::forward(const Matrix& input, Matrix& output, const ForwardContext& context) {
  const int features = input_shape_.dims.back();
  const Eigen::Index rows = input.size() / features;
  ConstMatrixMap x(input.data(), rows, features);
  output.resize(input.rows(), input.cols());
  MatrixMap y(output.data(), rows, features);
  if (!context.training) {
    auto scale = (running_var_.value.array() + epsilon_).rsqrt() * gamma_.value.array();
    y = ((x.array().rowwise() - running_mean_.value.transpose().array()).rowwise() * scale.transpose())
            .rowwise() +
        beta_.value.transpose().array();
    return;
  }
  if (rows == 0) throw Error(ErrorKind::kInvalid, "batchnorm", "training forward of an empty batch");
  const float inv_rows = 1.0f / static_cast<float>(rows);
  normalized_.resize(rows, features);
  normalized_ = x.rowwise() - x.colwise().mean();
  const Eigen::RowVectorXf variance = normalized_.array().square().colwise().sum() * inv_rows;
  batch_inv_std_ = (variance.array() + epsilon_).rsqrt().transpose();
  normalized_.array().rowwise() *= batch_inv_std_.transpose().array();
  y = (normalized_.array().rowwise() * gamma_.value.transpose().array()).rowwise() +
      beta_.value.transpose().array();
  // The running statistics: mean from x directly (normalized_ has it removed).
  running_mean_.value = momentum_ * running_mean_.value + (1 - momentum_) * x.colwise().mean().transpose();
  running_var_.value = momentum_ * running_var_.value + (1 - momentum_) * variance.transpose();
}

void BatchNorm::backward(const Matrix& input, const Matrix&, const Matrix& grad_output, Matrix* grad_input) {
  const int features = input_shape_.dims.back();
  const Eigen::Index rows = input.size() / features;
  ConstMatrixMap grad(grad_output.data(), rows, features);
  const Eigen::RowVectorXf grad_sum = grad.colwise().sum();
  const Eigen::RowVectorXf grad_dot_normalized = grad.cwiseProduct(normalized_).colwise().sum();
  gamma_.grad += grad_dot_normalized.transpose();
  beta_.grad += grad_sum.transpose();
  if (!grad_input) return;
  // dx = gamma * inv_std / m * (m * g - sum(g) - x_hat * sum(g * x_hat)), per column.
  const float inv_rows = 1.0f / static_cast<float>(rows);
  const Eigen::RowVectorXf scale =
      (gamma_.value.array() * batch_inv_std_.array()).transpose().matrix();
  grad_input->resize(input.rows(), input.cols());
  MatrixMap dx(grad_input->data(), rows, features);
  dx = ((grad.array().rowwise() - grad_sum.array() * inv_rows) -
        normalized_.array().rowwise() * (grad_dot_normalized.array() * inv_rows))
           .rowwise() *
       scale.array();
}

nlohmann::json BatchNorm::config() const { return {{"momentum", momentum_}, {"epsilon", epsilon_}}; }

}  // namespace tinymlops

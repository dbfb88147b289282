#include "tinymlops/core/error.h"
#include "tinymlops/nn/layers.h"

namespace tinymlops {

namespace {

using WeightMap = Eigen::Map<Matrix>;
using ConstWeightMap = Eigen::Map<const Matrix>;

}  // namespace

Dense::Dense(int units) : units_(units) {
  if (units <= 0) throw Error(ErrorKind::kInvalid, "dense", "units must be positive");
}

void Dense::build(const Shape& input, Initializer init, Rng& rng) {
  input_shape_ = input;
  int inputs = static_cast<int>(input.size());
  allocate_param(weights_, "weights", {inputs, units_}, true);
  allocate_param(bias_, "bias", {units_}, false);
  initialize(init, inputs, units_, rng, weights_.value);
}

void Dense::forward(const Matrix& input, Matrix& output, const ForwardContext&) {
  ConstWeightMap w(weights_.value.data(), weights_.shape[0], units_);
  output.noalias() = input * w;
  output.rowwise() += bias_.value.transpose();
}

void Dense::backward(const Matrix& input, const Matrix&, const Matrix& grad_output,
                     Matrix* grad_input) {
  ConstWeightMap w(weights_.value.data(), weights_.shape[0], units_);
  WeightMap grad_w(weights_.grad.data(), weights_.shape[0], units_);
  grad_w.noalias() += input.transpose() * grad_output;
  bias_.grad += grad_output.colwise().sum().transpose();
  if (grad_input) grad_input->noalias() = grad_output * w.transpose();
}

int64_t Dense::macs() const { return input_shape_.size() * units_; }

}  // namespace tinymlops

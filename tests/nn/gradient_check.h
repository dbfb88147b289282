// A finite-difference gradient checker for any Layer.
//
// The loss is L = sum(output .* R) for a fixed random R (summed in double), so
// dL/d(output) = R. check_gradients() compares Layer::backward against central
// differences (L(v + h) - L(v - h)) / 2h for every input value and every value
// of every trainable Param, with |analytic - numeric| <= atol + rtol * max(|.|).
// It also checks the shape of the output and of grad_input, that backward
// ACCUMULATES into Param::grad, and that grad_input = nullptr leaves the Param
// gradients the same.
//
// REQUIRES: the layer is built for input.cols(); its outputs are smooth within
// `step` of the given input (keep inputs away from ReLU kinks and max-pool ties).
// Every forward runs with a fresh Rng(seed), so Dropout draws the same mask each
// time and can be checked in training mode too.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "tinymlops/core/rng.h"
#include "tinymlops/nn/layer.h"

namespace tinymlops::testing {

struct GradientCheckOptions {
  bool training = true;            // ForwardContext::training of every forward
  float step = 1e-2f;              // h of the central difference (float maths: not smaller)
  float relative_tolerance = 1e-2f;
  float absolute_tolerance = 1e-3f;
  uint64_t seed = 2024;            // of R and of every forward's Rng
};

namespace gradient_check_detail {

inline Matrix run_forward(Layer& layer, const Matrix& input, const GradientCheckOptions& options) {
  Rng rng(options.seed);
  ForwardContext context{options.training, &rng};
  Matrix output;
  layer.forward(input, output, context);
  return output;
}

inline double loss(const Matrix& output, const Matrix& weights) {
  double sum = 0;
  for (Eigen::Index i = 0; i < output.size(); ++i) {
    sum += static_cast<double>(output.data()[i]) * static_cast<double>(weights.data()[i]);
  }
  return sum;
}

// Appends a line to `report` when the analytic and numeric values disagree.
inline void compare(const std::string& what, Eigen::Index index, float analytic, double numeric,
                    const GradientCheckOptions& options, int* failures, std::ostringstream& report) {
  const double difference = std::abs(static_cast<double>(analytic) - numeric);
  const double scale = std::max(std::abs(static_cast<double>(analytic)), std::abs(numeric));
  if (difference <= options.absolute_tolerance + options.relative_tolerance * scale) return;
  if (++*failures <= 8) {
    report << "\n  " << what << "[" << index << "]: analytic " << analytic << ", numeric " << numeric;
  }
}

}  // namespace gradient_check_detail

inline ::testing::AssertionResult check_gradients(Layer& layer, const Matrix& input,
                                                  const GradientCheckOptions& options = {}) {
  namespace detail = gradient_check_detail;
  std::ostringstream report;
  int failures = 0;

  Matrix output = detail::run_forward(layer, input, options);
  if (output.rows() != input.rows() || output.cols() != layer.output_shape().size()) {
    return ::testing::AssertionFailure() << "output is " << output.rows() << "x" << output.cols() << ", expected "
                                         << input.rows() << "x" << layer.output_shape().size();
  }
  Rng weight_rng(options.seed + 1);
  Matrix weights(output.rows(), output.cols());
  for (Eigen::Index i = 0; i < weights.size(); ++i) weights.data()[i] = weight_rng.uniform(-1.0f, 1.0f);

  // Analytic gradients; then a second backward without grad_input must double them.
  std::vector<Param*> params = layer.params();
  for (Param* param : params) param->grad.setZero();
  Matrix grad_input;
  layer.backward(input, output, weights, &grad_input);
  if (grad_input.rows() != input.rows() || grad_input.cols() != input.cols()) {
    return ::testing::AssertionFailure() << "grad_input is " << grad_input.rows() << "x" << grad_input.cols();
  }
  std::vector<Eigen::VectorXf> analytic;
  for (Param* param : params) analytic.push_back(param->grad);
  output = detail::run_forward(layer, input, options);
  layer.backward(input, output, weights, nullptr);
  for (size_t p = 0; p < params.size(); ++p) {
    const Eigen::VectorXf expected = 2 * analytic[p];
    for (Eigen::Index i = 0; i < expected.size(); ++i) {
      detail::compare(params[p]->name + " accumulated", i, params[p]->grad[i], expected[i], options, &failures,
                      report);
    }
  }

  const double two_steps = 2.0 * static_cast<double>(options.step);
  Matrix perturbed = input;
  for (Eigen::Index i = 0; i < input.size(); ++i) {
    const float original = perturbed.data()[i];
    perturbed.data()[i] = original + options.step;
    const double plus = detail::loss(detail::run_forward(layer, perturbed, options), weights);
    perturbed.data()[i] = original - options.step;
    const double minus = detail::loss(detail::run_forward(layer, perturbed, options), weights);
    perturbed.data()[i] = original;
    detail::compare("input", i, grad_input.data()[i], (plus - minus) / two_steps, options, &failures, report);
  }
  for (size_t p = 0; p < params.size(); ++p) {
    Param& param = *params[p];
    if (!param.trainable) continue;
    for (Eigen::Index i = 0; i < param.value.size(); ++i) {
      const float original = param.value[i];
      param.value[i] = original + options.step;
      const double plus = detail::loss(detail::run_forward(layer, input, options), weights);
      param.value[i] = original - options.step;
      const double minus = detail::loss(detail::run_forward(layer, input, options), weights);
      param.value[i] = original;
      detail::compare(param.name, i, analytic[p][i], (plus - minus) / two_steps, options, &failures, report);
    }
  }
  if (failures == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << failures << " gradient mismatches" << report.str();
}

}  // namespace tinymlops::testing

// Rounding-error bounds for tests that compare two float evaluations of the same
// function: another vector width or instruction set (SSE, AVX2, AVX-512), FMA or
// not, another order of summation, a pruned or lowered copy of a model. Each bound
// follows from the computation (how many roundings, how large the values), so a
// test that holds on one CPU holds on every other (docs/reproducibility.md).
//
// The rule (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed.,
// Lemma 3.1 and eq. 3.5): a float sum or dot product of n terms, in any order and
// with or without fused multiply-adds, is off from the exact value by at most
// gamma(n) * (the sum of the terms' absolute values), gamma(n) = n u / (1 - n u),
// u = 2^-24. Through a model, each layer's rounding is bounded the same way on
// its actual inputs, and the errors it receives are passed on through its
// weights (a running error analysis; see float_model_tolerance).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "tinymlops/core/error.h"
#include "tinymlops/nn/layer.h"
#include "tinymlops/nn/model.h"
#include "tinymlops/nn/model_file.h"

namespace tinymlops::testing {

// u = 2^-24, the unit roundoff of float.
inline constexpr double kFloatUnitRoundoff = 0x1p-24;

// gamma(n) = n u / (1 - n u). REQUIRES: n u < 1.
inline double float_gamma(int64_t n) {
  const double nu = static_cast<double>(n) * kFloatUnitRoundoff;
  return nu / (1 - nu);
}

// The most two float evaluations of a sum or dot product of `terms` terms, whose
// absolute values add up to `magnitude`, can differ by: twice gamma(terms) times it.
inline double float_sum_tolerance(int64_t terms, double magnitude) { return 2 * float_gamma(terms) * magnitude; }

// Roundings allowed per layer besides its reduction: bias, normalization and
// batch-norm arithmetic, and an activation from libm (a few ulp each).
inline constexpr int64_t kRoundingsPerLayer = 8;

// Per value of model.predict(x): the most two float evaluations of `model` on the
// raw rows `x` can differ by (another instruction set or order of summation; or
// the model and a lowered or pruned copy that computes the same function).
//
// A running error analysis along the model's own evaluation of `x`. The bound E
// on one evaluation's error starts at the normalization's rounding. Each layer
// adds its own rounding, bounded in the worst case: gamma(reduction length +
// kRoundingsPerLayer) times the sum of the absolute values of its terms on the
// actual input (|W| |a| + |b|; batch norm likewise). It passes the error it
// received on:
// - a dense or convolution layer as the root of the sum of squares,
//   sqrt(W^2 E^2): the errors of its inputs taken as independent, as in the
//   probabilistic analysis of Higham and Mary (SIAM J. Sci. Comput., 2019). The
//   worst case, |W| E, grows as the fan-in to the power of the depth: for a
//   9-layer random MLP it allows a softmax output to be off by 0.5, and would
//   let any bug through;
// - batch norm, pooling and reshapes exactly (|scale| E, the max, the mean);
// - activations unchanged (all but softmax are 1-Lipschitz; swish to within the
//   allowance), with their own rounding added.
// A softmax is allowed only as the last layer: its outputs move by at most half
// the largest change of its inputs, plus its own rounding. The result is 2 E.
// REQUIRES: `model` is built; x.cols() == its number of features.
inline Matrix float_model_tolerance(Model& model, const Matrix& x) {
  // `terms`: every weight, bias and batch-norm term made to add (|w|, |b|, |gamma|,
  // |beta|, -|mean|). `spread` and `spread_squared`: |w| and w^2 (gamma likewise)
  // with no offsets (b, beta, mean = 0); they carry errors through a layer.
  Model terms = parse_model(serialize_model(model), "float_model_tolerance");
  for (Param* p : terms.params()) {
    p->value = p->value.cwiseAbs();
    if (p->name == "running_mean") p->value = -p->value;
  }
  auto error_carrier = [&model](bool squared) {
    Model copy = parse_model(serialize_model(model), "float_model_tolerance");
    for (Param* p : copy.params()) {
      if (p->name == "bias" || p->name == "beta" || p->name == "running_mean") p->value.setZero();
      p->value = squared ? p->value.cwiseAbs2().eval() : p->value.cwiseAbs().eval();
    }
    return copy;
  };
  Model spread = error_carrier(false), spread_squared = error_carrier(true);
  Normalization& normalization_terms = terms.metadata.normalization;
  normalization_terms.offset = -normalization_terms.offset.cwiseAbs();
  normalization_terms.scale = normalization_terms.scale.cwiseAbs();

  size_t end = model.num_layers();
  for (size_t i = 0; i < model.num_layers(); ++i) {
    const Layer& layer = model.layer(i);
    if (layer.kind() == LayerKind::kActivation && layer.config().value("function", "") == "softmax") {
      if (i + 1 != model.num_layers()) {
        throw Error(ErrorKind::kInvalid, "float_model_tolerance", "softmax only as the last layer");
      }
      end = i;
    }
  }

  Matrix input = x, magnitude = x.cwiseAbs();
  model.metadata.normalization.apply(input);
  normalization_terms.apply(magnitude);
  Matrix error = static_cast<float>(float_gamma(kRoundingsPerLayer)) * magnitude;
  Matrix output, passed_on;
  for (size_t i = 0; i < end; ++i) {
    Layer& layer = model.layer(i);
    layer.forward(input, output, ForwardContext{});
    if (layer.kind() == LayerKind::kActivation) {
      error += static_cast<float>(float_gamma(kRoundingsPerLayer)) * output.cwiseAbs();
    } else {
      const int64_t inputs = layer.input_shape().size(), outputs = layer.output_shape().size();
      const int64_t reduction = layer.macs() > 0 ? layer.macs() / outputs : std::max<int64_t>(1, inputs / outputs);
      if (weights_param(layer) != nullptr) {
        spread_squared.layer(i).forward(error.cwiseAbs2(), passed_on, ForwardContext{});
        passed_on = passed_on.cwiseSqrt();
      } else {
        spread.layer(i).forward(error, passed_on, ForwardContext{});
      }
      terms.layer(i).forward(input.cwiseAbs(), magnitude, ForwardContext{});
      error = passed_on + static_cast<float>(float_gamma(reduction + kRoundingsPerLayer)) * magnitude;
    }
    input.swap(output);
  }
  if (end < model.num_layers()) {  // the softmax head
    const Eigen::VectorXf largest = error.rowwise().maxCoeff();
    error = (0.5f * largest).replicate(1, error.cols()).array() +
            static_cast<float>(float_gamma(error.cols() + kRoundingsPerLayer));
  }
  return 2 * error;
}

// Success when every value of `actual` is within float_model_tolerance(model, x) of
// `expected`, both float evaluations of `model`'s function on the raw rows `x`;
// otherwise a failure naming the first value off and its bound.
inline ::testing::AssertionResult within_float_tolerance(Model& model, const Matrix& x, const Matrix& expected,
                                                         const Matrix& actual) {
  if (expected.rows() != actual.rows() || expected.cols() != actual.cols()) {
    return ::testing::AssertionFailure() << "shapes differ: " << expected.rows() << "x" << expected.cols() << " and "
                                         << actual.rows() << "x" << actual.cols();
  }
  const Matrix tolerance = float_model_tolerance(model, x);
  for (Eigen::Index r = 0; r < expected.rows(); ++r) {
    for (Eigen::Index c = 0; c < expected.cols(); ++c) {
      const double difference = std::abs(static_cast<double>(actual(r, c)) - expected(r, c));
      if (!(difference <= tolerance(r, c))) {
        return ::testing::AssertionFailure() << "row " << r << " output " << c << ": " << actual(r, c)
                                             << " against " << expected(r, c) << ", off by " << difference
                                             << ", more than the rounding bound " << tolerance(r, c);
      }
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace tinymlops::testing

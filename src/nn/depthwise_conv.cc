// DepthwiseConv2D by direct loops over output positions and kernel taps.
//
// Contract (see layers.h): input rows are {H, W, C} channels last; output
// channel c * M + m (M = multiplier) sees only input channel c through weights
// [ky, kx, c, m]. At each (position, tap) the C x M block of the output gets
// weights[ky, kx] scaled row-wise by the input pixel's C values. No scratch is
// kept: backward recomputes from the input it is given.
#include <algorithm>
#include <string>

#include "tinymlops/core/error.h"
#include "tinymlops/nn/layers.h"

namespace tinymlops {

namespace {

using MatrixMap = Eigen::Map<Matrix>;
using ConstMatrixMap = Eigen::Map<const Matrix>;
using ConstVectorMap = Eigen::Map<const Eigen::VectorXf>;
using VectorMap = Eigen::Map<Eigen::VectorXf>;

}  // namespace

DepthwiseConv2D::DepthwiseConv2D(std::array<int, 2> kernel, std::array<int, 2> stride, Padding padding,
                                 int multiplier)
    : kernel_(kernel), stride_(stride), padding_(padding), multiplier_(multiplier) {
  if (multiplier <= 0) throw Error(ErrorKind::kInvalid, "depthwise_conv2d", "multiplier must be positive");
  for (int i = 0; i < 2; ++i) {
    if (kernel[i] <= 0 || stride[i] <= 0) {
      throw Error(ErrorKind::kInvalid, "depthwise_conv2d", "kernel and stride must be positive");
    }
  }
}

void DepthwiseConv2D::build(const Shape& input, Initializer init, Rng& rng) {
  if (input.rank() != 3) {
    throw Error(ErrorKind::kInvalid, "depthwise_conv2d", "expects an HxWxC input, got " + input.to_string());
  }
  if (padding_ == Padding::kValid && (kernel_[0] > input.dims[0] || kernel_[1] > input.dims[1])) {
    throw Error(ErrorKind::kInvalid, "depthwise_conv2d",
                "kernel " + std::to_string(kernel_[0]) + "x" + std::to_string(kernel_[1]) +
                    " is larger than the input " + input.to_string() + " (use padding=same)");
  }
  input_shape_ = input;
  axis_geometry(input.dims[0], kernel_[0], stride_[0], padding_, &out_[0], &pad_[0]);
  axis_geometry(input.dims[1], kernel_[1], stride_[1], padding_, &out_[1], &pad_[1]);
  const int channels = input.dims[2];
  allocate_param(weights_, "weights", {kernel_[0], kernel_[1], channels, multiplier_}, true);
  allocate_param(bias_, "bias", {channels * multiplier_}, false);
  const int64_t taps = int64_t{kernel_[0]} * kernel_[1];
  initialize(init, taps, taps * multiplier_, rng, weights_.value);
}

Shape DepthwiseConv2D::output_shape() const {
  return Shape{{out_[0], out_[1], input_shape_.dims[2] * multiplier_}};
}

void DepthwiseConv2D::forward(const Matrix& input, Matrix& output, const ForwardContext&) {
  const int height = input_shape_.dims[0], width = input_shape_.dims[1], channels = input_shape_.dims[2];
  const int64_t out_channels = int64_t{channels} * multiplier_;
  const int64_t positions = int64_t{out_[0]} * out_[1];
  output.resize(input.rows(), positions * out_channels);
  for (Eigen::Index n = 0; n < input.rows(); ++n) {
    for (int oy = 0; oy < out_[0]; ++oy) {
      for (int ox = 0; ox < out_[1]; ++ox) {
        float* out_pixel = output.row(n).data() + (int64_t{oy} * out_[1] + ox) * out_channels;
        MatrixMap out(out_pixel, channels, multiplier_);
        VectorMap(out_pixel, out_channels) = bias_.value;
        for (int ky = 0; ky < kernel_[0]; ++ky) {
          const int iy = oy * stride_[0] - pad_[0] + ky;
          if (iy < 0 || iy >= height) continue;
          for (int kx = 0; kx < kernel_[1]; ++kx) {
            const int ix = ox * stride_[1] - pad_[1] + kx;
            if (ix < 0 || ix >= width) continue;
            ConstVectorMap in(input.row(n).data() + (int64_t{iy} * width + ix) * channels, channels);
            ConstMatrixMap w(weights_.value.data() + (int64_t{ky} * kernel_[1] + kx) * out_channels, channels,
                             multiplier_);
            out.array() += w.array().colwise() * in.array();
          }
        }
      }
    }
  }
}

void DepthwiseConv2D::backward(const Matrix& input, const Matrix&, const Matrix& grad_output,
                               Matrix* grad_input) {
  const int height = input_shape_.dims[0], width = input_shape_.dims[1], channels = input_shape_.dims[2];
  const int64_t out_channels = int64_t{channels} * multiplier_;
  const int64_t positions = int64_t{out_[0]} * out_[1];
  ConstMatrixMap grad_pixels(grad_output.data(), grad_output.rows() * positions, out_channels);
  bias_.grad += grad_pixels.colwise().sum().transpose();
  if (grad_input) grad_input->setZero(input.rows(), input.cols());
  for (Eigen::Index n = 0; n < input.rows(); ++n) {
    for (int oy = 0; oy < out_[0]; ++oy) {
      for (int ox = 0; ox < out_[1]; ++ox) {
        ConstMatrixMap grad(grad_output.row(n).data() + (int64_t{oy} * out_[1] + ox) * out_channels, channels,
                            multiplier_);
        for (int ky = 0; ky < kernel_[0]; ++ky) {
          const int iy = oy * stride_[0] - pad_[0] + ky;
          if (iy < 0 || iy >= height) continue;
          for (int kx = 0; kx < kernel_[1]; ++kx) {
            const int ix = ox * stride_[1] - pad_[1] + kx;
            if (ix < 0 || ix >= width) continue;
            const int64_t pixel = (int64_t{iy} * width + ix) * channels;
            const int64_t tap = (int64_t{ky} * kernel_[1] + kx) * out_channels;
            ConstVectorMap in(input.row(n).data() + pixel, channels);
            MatrixMap grad_w(weights_.grad.data() + tap, channels, multiplier_);
            grad_w.array() += grad.array().colwise() * in.array();
            if (grad_input) {
              ConstMatrixMap w(weights_.value.data() + tap, channels, multiplier_);
              VectorMap(grad_input->row(n).data() + pixel, channels) +=
                  (grad.array() * w.array()).rowwise().sum().matrix();
            }
          }
        }
      }
    }
  }
}

nlohmann::json DepthwiseConv2D::config() const {
  return {{"kernel", {kernel_[0], kernel_[1]}},
          {"stride", {stride_[0], stride_[1]}},
          {"padding", padding_name(padding_)},
          {"multiplier", multiplier_}};
}

int64_t DepthwiseConv2D::macs() const {
  return int64_t{out_[0]} * out_[1] * input_shape_.dims[2] * multiplier_ * kernel_[0] * kernel_[1];
}

}  // namespace tinymlops

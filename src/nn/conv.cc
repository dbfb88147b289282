// Conv2D and Conv1D by im2col + one GEMM.
//
// Contract (see layers.h): input rows are channels-last images {H, W, C} (Conv1D:
// sequences {L, C}, run as images with H = 1). forward() writes the im2col
// matrix of the batch into columns_, one row per output position (sample major),
// columns ordered (ky, kx, c) to match the weights {KH, KW, C, filters}, so that
// output = columns_ * weights + bias. backward() reads columns_ for the weight
// gradient and then, when grad_input is wanted, reuses it as the scratch for the
// column gradients: each backward needs the training forward of its own batch.
#include <algorithm>
#include <string>

#include "tinymlops/core/error.h"
#include "tinymlops/nn/layers.h"

namespace tinymlops {

namespace {

using MatrixMap = Eigen::Map<Matrix>;
using ConstMatrixMap = Eigen::Map<const Matrix>;

struct ImageDims {
  int height, width, channels;
};

// {H, W, C}, or {1, L, C} for a sequence.
ImageDims image_dims(const Shape& input) {
  if (input.rank() == 2) return {1, input.dims[0], input.dims[1]};
  return {input.dims[0], input.dims[1], input.dims[2]};
}

}  // namespace

Conv2D::Conv2D(int filters, std::array<int, 2> kernel, std::array<int, 2> stride, Padding padding)
    : filters_(filters), kernel_(kernel), stride_(stride), padding_(padding) {
  if (filters <= 0) throw Error(ErrorKind::kInvalid, "conv", "filters must be positive");
  for (int i = 0; i < 2; ++i) {
    if (kernel[i] <= 0 || stride[i] <= 0) {
      throw Error(ErrorKind::kInvalid, "conv", "kernel and stride must be positive");
    }
  }
}

void Conv2D::build(const Shape& input, Initializer init, Rng& rng) {
  const char* name = kind() == LayerKind::kConv1D ? "conv1d" : "conv2d";
  const int rank = kind() == LayerKind::kConv1D ? 2 : 3;
  if (input.rank() != rank) {
    throw Error(ErrorKind::kInvalid, name,
                std::string("expects a rank-") + std::to_string(rank) + " input, got " + input.to_string());
  }
  input_shape_ = input;
  ImageDims dims = image_dims(input);
  if (padding_ == Padding::kValid && (kernel_[0] > dims.height || kernel_[1] > dims.width)) {
    throw Error(ErrorKind::kInvalid, name,
                "kernel " + std::to_string(kernel_[0]) + "x" + std::to_string(kernel_[1]) +
                    " is larger than the input " + input.to_string() + " (use padding=same)");
  }
  axis_geometry(dims.height, kernel_[0], stride_[0], padding_, &out_[0], &pad_[0]);
  axis_geometry(dims.width, kernel_[1], stride_[1], padding_, &out_[1], &pad_[1]);
  const int fan_in = kernel_[0] * kernel_[1] * dims.channels;
  allocate_param(weights_, "weights", {kernel_[0], kernel_[1], dims.channels, filters_}, true);
  allocate_param(bias_, "bias", {filters_}, false);
  initialize(init, fan_in, int64_t{kernel_[0]} * kernel_[1] * filters_, rng, weights_.value);
}

Shape Conv2D::output_shape() const { return Shape{{out_[0], out_[1], filters_}}; }

void Conv2D::forward(const Matrix& input, Matrix& output, const ForwardContext&) {
  const ImageDims dims = image_dims(input_shape_);
  const int channels = dims.channels;
  const Eigen::Index positions = int64_t{out_[0]} * out_[1];
  const Eigen::Index patch = int64_t{kernel_[0]} * kernel_[1] * channels;
  columns_.resize(input.rows() * positions, patch);
  for (Eigen::Index n = 0; n < input.rows(); ++n) {
    const float* image = input.row(n).data();
    for (int oy = 0; oy < out_[0]; ++oy) {
      for (int ox = 0; ox < out_[1]; ++ox) {
        float* column = columns_.row(n * positions + int64_t{oy} * out_[1] + ox).data();
        for (int ky = 0; ky < kernel_[0]; ++ky) {
          const int iy = oy * stride_[0] - pad_[0] + ky;
          for (int kx = 0; kx < kernel_[1]; ++kx) {
            const int ix = ox * stride_[1] - pad_[1] + kx;
            float* dest = column + (int64_t{ky} * kernel_[1] + kx) * channels;
            if (iy < 0 || iy >= dims.height || ix < 0 || ix >= dims.width) {
              std::fill(dest, dest + channels, 0.0f);
            } else {
              const float* source = image + (int64_t{iy} * dims.width + ix) * channels;
              std::copy(source, source + channels, dest);
            }
          }
        }
      }
    }
  }
  ConstMatrixMap w(weights_.value.data(), patch, filters_);
  output.resize(input.rows(), positions * filters_);
  MatrixMap out(output.data(), input.rows() * positions, filters_);
  out.noalias() = columns_ * w;
  out.rowwise() += bias_.value.transpose();
}

void Conv2D::backward(const Matrix& input, const Matrix&, const Matrix& grad_output, Matrix* grad_input) {
  const ImageDims dims = image_dims(input_shape_);
  const int channels = dims.channels;
  const Eigen::Index positions = int64_t{out_[0]} * out_[1];
  const Eigen::Index patch = int64_t{kernel_[0]} * kernel_[1] * channels;
  ConstMatrixMap grad(grad_output.data(), grad_output.rows() * positions, filters_);
  ConstMatrixMap w(weights_.value.data(), patch, filters_);
  MatrixMap grad_w(weights_.grad.data(), patch, filters_);
  grad_w.noalias() += columns_.transpose() * grad;
  bias_.grad += grad.colwise().sum().transpose();
  if (!grad_input) return;

  // Column gradients into columns_ (same size, so no reallocation), then col2im.
  columns_.noalias() = grad * w.transpose();
  grad_input->setZero(input.rows(), input.cols());
  for (Eigen::Index n = 0; n < input.rows(); ++n) {
    float* image = grad_input->row(n).data();
    for (int oy = 0; oy < out_[0]; ++oy) {
      for (int ox = 0; ox < out_[1]; ++ox) {
        const float* column = columns_.row(n * positions + int64_t{oy} * out_[1] + ox).data();
        for (int ky = 0; ky < kernel_[0]; ++ky) {
          const int iy = oy * stride_[0] - pad_[0] + ky;
          if (iy < 0 || iy >= dims.height) continue;
          for (int kx = 0; kx < kernel_[1]; ++kx) {
            const int ix = ox * stride_[1] - pad_[1] + kx;
            if (ix < 0 || ix >= dims.width) continue;
            const float* source = column + (int64_t{ky} * kernel_[1] + kx) * channels;
            float* dest = image + (int64_t{iy} * dims.width + ix) * channels;
            for (int c = 0; c < channels; ++c) dest[c] += source[c];
          }
        }
      }
    }
  }
}

nlohmann::json Conv2D::config() const {
  return {{"filters", filters_},
          {"kernel", {kernel_[0], kernel_[1]}},
          {"stride", {stride_[0], stride_[1]}},
          {"padding", padding_name(padding_)}};
}

int64_t Conv2D::macs() const {
  const ImageDims dims = image_dims(input_shape_);
  return int64_t{out_[0]} * out_[1] * filters_ * kernel_[0] * kernel_[1] * dims.channels;
}

Conv1D::Conv1D(int filters, int kernel, int stride, Padding padding)
    : Conv2D(filters, {1, kernel}, {1, stride}, padding) {}

void Conv1D::build(const Shape& input, Initializer init, Rng& rng) {
  Conv2D::build(input, init, rng);
  weights_.shape = {kernel_[1], input.dims[1], filters_};  // same values as {1, K, C, filters}
}

Shape Conv1D::output_shape() const { return Shape{{out_[1], filters_}}; }

nlohmann::json Conv1D::config() const {
  return {{"filters", filters_},
          {"kernel", kernel_[1]},
          {"stride", stride_[1]},
          {"padding", padding_name(padding_)}};
}

}  // namespace tinymlops

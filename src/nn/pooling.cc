// Pool (max / average, valid padding) and GlobalAvgPool.
//
// Contract (see layers.h): input rows are {H, W, C} or sequences {L, C}, which
// are pooled as images with H = L, W = 1 (only pool[0] and stride[0] apply).
// Max pooling routes the gradient to the first maximum of each window (the one
// forward picked); backward recomputes it from the input, so no mask is kept.
// Average pooling divides by the full window size.
#include <string>

#include "tinymlops/core/error.h"
#include "tinymlops/nn/layers.h"

namespace tinymlops {

namespace {

using ConstMatrixMap = Eigen::Map<const Matrix>;

struct PoolGeometry {
  int height, width, channels;  // of the input
  int pool_h, pool_w, stride_h, stride_w;
};

// The input seen as an image and the window actually used (1-D: width 1).
PoolGeometry geometry(const Shape& input, std::array<int, 2> pool, std::array<int, 2> stride) {
  if (input.rank() == 2) return {input.dims[0], 1, input.dims[1], pool[0], 1, stride[0], 1};
  return {input.dims[0], input.dims[1], input.dims[2], pool[0], pool[1], stride[0], stride[1]};
}

// Offset (in floats) within one sample of the maximum of the window whose top
// left corner is (y0, x0), channel c. Ties go to the first in row-major order.
int64_t argmax_in_window(const float* image, const PoolGeometry& g, int y0, int x0, int c) {
  int64_t best = (int64_t{y0} * g.width + x0) * g.channels + c;
  for (int py = 0; py < g.pool_h; ++py) {
    for (int px = 0; px < g.pool_w; ++px) {
      const int64_t at = (int64_t{y0 + py} * g.width + x0 + px) * g.channels + c;
      if (image[at] > image[best]) best = at;
    }
  }
  return best;
}

}  // namespace

Pool::Pool(LayerKind kind, std::array<int, 2> pool, std::array<int, 2> stride)
    : kind_(kind), pool_(pool), stride_(stride) {
  if (kind != LayerKind::kMaxPool && kind != LayerKind::kAvgPool) {
    throw Error(ErrorKind::kInvalid, "pool", "kind must be maxpool or avgpool");
  }
  for (int i = 0; i < 2; ++i) {
    if (pool[i] <= 0 || stride[i] <= 0) {
      throw Error(ErrorKind::kInvalid, layer_kind_name(kind), "pool and stride must be positive");
    }
  }
}

void Pool::build(const Shape& input, Initializer, Rng&) {
  const char* name = layer_kind_name(kind_);
  if (input.rank() != 2 && input.rank() != 3) {
    throw Error(ErrorKind::kInvalid, name, "expects an HxWxC or LxC input, got " + input.to_string());
  }
  const PoolGeometry g = geometry(input, pool_, stride_);
  if (g.pool_h > g.height || g.pool_w > g.width) {
    throw Error(ErrorKind::kInvalid, name,
                "pool " + std::to_string(g.pool_h) + "x" + std::to_string(g.pool_w) +
                    " is larger than the input " + input.to_string());
  }
  input_shape_ = input;
  out_ = {(g.height - g.pool_h) / g.stride_h + 1, (g.width - g.pool_w) / g.stride_w + 1};
}

Shape Pool::output_shape() const {
  const int channels = input_shape_.dims.back();
  if (input_shape_.rank() == 2) return Shape{{out_[0], channels}};
  return Shape{{out_[0], out_[1], channels}};
}

void Pool::forward(const Matrix& input, Matrix& output, const ForwardContext&) {
  const PoolGeometry g = geometry(input_shape_, pool_, stride_);
  const float inv_window = 1.0f / static_cast<float>(g.pool_h * g.pool_w);
  output.resize(input.rows(), int64_t{out_[0]} * out_[1] * g.channels);
  for (Eigen::Index n = 0; n < input.rows(); ++n) {
    const float* image = input.row(n).data();
    float* out = output.row(n).data();
    for (int oy = 0; oy < out_[0]; ++oy) {
      for (int ox = 0; ox < out_[1]; ++ox) {
        const int y0 = oy * g.stride_h, x0 = ox * g.stride_w;
        float* out_pixel = out + (int64_t{oy} * out_[1] + ox) * g.channels;
        for (int c = 0; c < g.channels; ++c) {
          if (kind_ == LayerKind::kMaxPool) {
            out_pixel[c] = image[argmax_in_window(image, g, y0, x0, c)];
            continue;
          }
          float sum = 0;
          for (int py = 0; py < g.pool_h; ++py) {
            for (int px = 0; px < g.pool_w; ++px) {
              sum += image[(int64_t{y0 + py} * g.width + x0 + px) * g.channels + c];
            }
          }
          out_pixel[c] = sum * inv_window;
        }
      }
    }
  }
}

void Pool::backward(const Matrix& input, const Matrix&, const Matrix& grad_output, Matrix* grad_input) {
  if (!grad_input) return;
  const PoolGeometry g = geometry(input_shape_, pool_, stride_);
  const float inv_window = 1.0f / static_cast<float>(g.pool_h * g.pool_w);
  grad_input->setZero(input.rows(), input.cols());
  for (Eigen::Index n = 0; n < input.rows(); ++n) {
    const float* image = input.row(n).data();
    const float* grad = grad_output.row(n).data();
    float* grad_image = grad_input->row(n).data();
    for (int oy = 0; oy < out_[0]; ++oy) {
      for (int ox = 0; ox < out_[1]; ++ox) {
        const int y0 = oy * g.stride_h, x0 = ox * g.stride_w;
        const float* grad_pixel = grad + (int64_t{oy} * out_[1] + ox) * g.channels;
        for (int c = 0; c < g.channels; ++c) {
          if (kind_ == LayerKind::kMaxPool) {
            grad_image[argmax_in_window(image, g, y0, x0, c)] += grad_pixel[c];
            continue;
          }
          const float share = grad_pixel[c] * inv_window;
          for (int py = 0; py < g.pool_h; ++py) {
            for (int px = 0; px < g.pool_w; ++px) {
              grad_image[(int64_t{y0 + py} * g.width + x0 + px) * g.channels + c] += share;
            }
          }
        }
      }
    }
  }
}

nlohmann::json Pool::config() const {
  return {{"pool", {pool_[0], pool_[1]}}, {"stride", {stride_[0], stride_[1]}}};
}

void GlobalAvgPool::build(const Shape& input, Initializer, Rng&) {
  if (input.rank() != 2 && input.rank() != 3) {
    throw Error(ErrorKind::kInvalid, "global_avgpool", "expects an HxWxC or LxC input, got " + input.to_string());
  }
  input_shape_ = input;
}

Shape GlobalAvgPool::output_shape() const { return Shape{{input_shape_.dims.back()}}; }

void GlobalAvgPool::forward(const Matrix& input, Matrix& output, const ForwardContext&) {
  const int channels = input_shape_.dims.back();
  const Eigen::Index positions = input_shape_.size() / channels;
  output.resize(input.rows(), channels);
  for (Eigen::Index n = 0; n < input.rows(); ++n) {
    ConstMatrixMap pixels(input.row(n).data(), positions, channels);
    output.row(n) = pixels.colwise().mean();
  }
}

void GlobalAvgPool::backward(const Matrix& input, const Matrix&, const Matrix& grad_output,
                             Matrix* grad_input) {
  if (!grad_input) return;
  const int channels = input_shape_.dims.back();
  const Eigen::Index positions = input_shape_.size() / channels;
  const float inv_positions = 1.0f / static_cast<float>(positions);
  grad_input->resize(input.rows(), input.cols());
  for (Eigen::Index n = 0; n < input.rows(); ++n) {
    Eigen::Map<Matrix> pixels(grad_input->row(n).data(), positions, channels);
    pixels.rowwise() = grad_output.row(n) * inv_positions;
  }
}

}  // namespace tinymlops

// The layers of a Sequential model. Each takes its hyper-parameters at
// construction, its input shape at build(), and follows the Layer contract
// (layer.h). Shapes are channels-last; "valid" padding adds none, "same" pads so
// that output = ceil(input / stride), with the extra row/column at the end (as in
// TensorFlow, so imported models and generated kernels agree).
#pragma once

#include <array>

#include "tinymlops/nn/layer.h"

namespace tinymlops {

enum class Padding { kValid, kSame };
const char* padding_name(Padding padding);
Padding parse_padding(const std::string& name, const std::string& where);

// Output size and leading padding of one spatial axis. kValid: no padding;
// kSame (TensorFlow's rule): out = ceil(in / stride), padded as needed with the
// odd element at the end.
void axis_geometry(int in, int kernel, int stride, Padding padding, int* out, int* pad_before);

// y = x W + b. Input: any shape (treated as flat, size N). Output: {units}.
// Params: weights {N, units} (row-major: input index major), bias {units}.
class Dense : public Layer {
 public:
  explicit Dense(int units);
  LayerKind kind() const override { return LayerKind::kDense; }
  void build(const Shape& input, Initializer init, Rng& rng) override;
  Shape output_shape() const override { return Shape{{units_}}; }
  void forward(const Matrix& input, Matrix& output, const ForwardContext& context) override;
  void backward(const Matrix& input, const Matrix& output, const Matrix& grad_output,
                Matrix* grad_input) override;
  std::vector<Param*> params() override { return {&weights_, &bias_}; }
  nlohmann::json config() const override { return {{"units", units_}}; }
  int64_t macs() const override;
  int units() const { return units_; }

 private:
  int units_;
  Param weights_, bias_;
};

// 2-D convolution. Input {H, W, C}; output {OH, OW, filters}.
// Params: weights {KH, KW, C, filters}, bias {filters}.
class Conv2D : public Layer {
 public:
  Conv2D(int filters, std::array<int, 2> kernel, std::array<int, 2> stride, Padding padding);
  LayerKind kind() const override { return LayerKind::kConv2D; }
  void build(const Shape& input, Initializer init, Rng& rng) override;
  Shape output_shape() const override;
  void forward(const Matrix& input, Matrix& output, const ForwardContext& context) override;
  void backward(const Matrix& input, const Matrix& output, const Matrix& grad_output,
                Matrix* grad_input) override;
  std::vector<Param*> params() override { return {&weights_, &bias_}; }
  nlohmann::json config() const override;
  int64_t macs() const override;

 protected:
  int filters_;
  std::array<int, 2> kernel_, stride_;
  Padding padding_;
  std::array<int, 2> out_{}, pad_{};  // output size and leading padding, set by build
  Param weights_, bias_;
  Matrix columns_;  // im2col scratch of the last forward
};

// 1-D convolution over sequences. Input {L, C}; output {OL, filters}.
// Params: weights {K, C, filters}, bias {filters}. Computed as Conv2D with H = 1.
class Conv1D : public Conv2D {
 public:
  Conv1D(int filters, int kernel, int stride, Padding padding);
  LayerKind kind() const override { return LayerKind::kConv1D; }
  void build(const Shape& input, Initializer init, Rng& rng) override;
  Shape output_shape() const override;
  nlohmann::json config() const override;
};

// Depthwise 2-D convolution: each input channel convolved with `multiplier`
// filters of its own. Input {H, W, C}; output {OH, OW, C * multiplier}, output
// channel c * multiplier + m from input channel c.
// Params: weights {KH, KW, C, multiplier}, bias {C * multiplier}.
class DepthwiseConv2D : public Layer {
 public:
  DepthwiseConv2D(std::array<int, 2> kernel, std::array<int, 2> stride, Padding padding,
                  int multiplier);
  LayerKind kind() const override { return LayerKind::kDepthwiseConv2D; }
  void build(const Shape& input, Initializer init, Rng& rng) override;
  Shape output_shape() const override;
  void forward(const Matrix& input, Matrix& output, const ForwardContext& context) override;
  void backward(const Matrix& input, const Matrix& output, const Matrix& grad_output,
                Matrix* grad_input) override;
  std::vector<Param*> params() override { return {&weights_, &bias_}; }
  nlohmann::json config() const override;
  int64_t macs() const override;

 private:
  std::array<int, 2> kernel_, stride_;
  Padding padding_;
  int multiplier_;
  std::array<int, 2> out_{}, pad_{};
  Param weights_, bias_;
};

// Max or average pooling over windows of `pool`, moving by `stride`, valid
// padding. Input {H, W, C} (pool {PH, PW}) or {L, C} (pool {P, 1} and stride
// {S, 1}: only the first entries are used). Average pooling divides by the full
// window size.
class Pool : public Layer {
 public:
  Pool(LayerKind kind, std::array<int, 2> pool, std::array<int, 2> stride);  // kMaxPool or kAvgPool
  LayerKind kind() const override { return kind_; }
  void build(const Shape& input, Initializer init, Rng& rng) override;
  Shape output_shape() const override;
  void forward(const Matrix& input, Matrix& output, const ForwardContext& context) override;
  void backward(const Matrix& input, const Matrix& output, const Matrix& grad_output,
                Matrix* grad_input) override;
  nlohmann::json config() const override;

 private:
  LayerKind kind_;
  std::array<int, 2> pool_, stride_;
  std::array<int, 2> out_{};
};

// Mean over all positions per channel. Input {H, W, C} or {L, C}; output {C}.
class GlobalAvgPool : public Layer {
 public:
  LayerKind kind() const override { return LayerKind::kGlobalAvgPool; }
  void build(const Shape& input, Initializer init, Rng& rng) override;
  Shape output_shape() const override;
  void forward(const Matrix& input, Matrix& output, const ForwardContext& context) override;
  void backward(const Matrix& input, const Matrix& output, const Matrix& grad_output,
                Matrix* grad_input) override;
  nlohmann::json config() const override { return nlohmann::json::object(); }
};

// Reshapes to {size}; values unchanged.
class Flatten : public Layer {
 public:
  LayerKind kind() const override { return LayerKind::kFlatten; }
  void build(const Shape& input, Initializer init, Rng& rng) override;
  Shape output_shape() const override { return Shape{{static_cast<int>(input_shape_.size())}}; }
  void forward(const Matrix& input, Matrix& output, const ForwardContext& context) override;
  void backward(const Matrix& input, const Matrix& output, const Matrix& grad_output,
                Matrix* grad_input) override;
  nlohmann::json config() const override { return nlohmann::json::object(); }
};

// Inverted dropout: in training, zeroes each value with probability `rate` and
// scales the rest by 1 / (1 - rate); identity at inference. REQUIRES 0 <= rate < 1.
class Dropout : public Layer {
 public:
  explicit Dropout(float rate);
  LayerKind kind() const override { return LayerKind::kDropout; }
  void build(const Shape& input, Initializer init, Rng& rng) override;
  Shape output_shape() const override { return input_shape_; }
  void forward(const Matrix& input, Matrix& output, const ForwardContext& context) override;
  void backward(const Matrix& input, const Matrix& output, const Matrix& grad_output,
                Matrix* grad_input) override;
  nlohmann::json config() const override { return {{"rate", rate_}}; }

 private:
  float rate_;
  Matrix mask_;  // scale factors of the last training forward
};

// Batch normalization over the last dimension (features or channels).
// Training: normalizes with the batch mean and (biased) variance and updates the
// running statistics: running = momentum * running + (1 - momentum) * batch.
// Inference: uses the running statistics. y = gamma * (x - mean) / sqrt(var + eps) + beta.
// Params: gamma, beta (trainable, no decay), running_mean, running_var (state).
// For deployment it folds into the preceding Dense/Conv (see the runtime).
class BatchNorm : public Layer {
 public:
  BatchNorm(float momentum, float epsilon);
  LayerKind kind() const override { return LayerKind::kBatchNorm; }
  void build(const Shape& input, Initializer init, Rng& rng) override;
  Shape output_shape() const override { return input_shape_; }
  void forward(const Matrix& input, Matrix& output, const ForwardContext& context) override;
  void backward(const Matrix& input, const Matrix& output, const Matrix& grad_output,
                Matrix* grad_input) override;
  std::vector<Param*> params() override { return {&gamma_, &beta_, &running_mean_, &running_var_}; }
  nlohmann::json config() const override;
  int64_t macs() const override { return input_shape_.size(); }

 private:
  float momentum_, epsilon_;
  Param gamma_, beta_, running_mean_, running_var_;
  Eigen::VectorXf batch_inv_std_;  // of the last training forward
  Matrix normalized_;              // x-hat of the last training forward
};

// An element-wise activation, or softmax over each sample.
class Activation : public Layer {
 public:
  explicit Activation(ActivationKind function, float alpha = -1);  // alpha < 0: the default
  LayerKind kind() const override { return LayerKind::kActivation; }
  void build(const Shape& input, Initializer init, Rng& rng) override;
  Shape output_shape() const override { return input_shape_; }
  void forward(const Matrix& input, Matrix& output, const ForwardContext& context) override;
  void backward(const Matrix& input, const Matrix& output, const Matrix& grad_output,
                Matrix* grad_input) override;
  nlohmann::json config() const override;
  ActivationKind function() const { return function_; }
  float alpha() const { return alpha_; }

 private:
  ActivationKind function_;
  float alpha_;
};

}  // namespace tinymlops

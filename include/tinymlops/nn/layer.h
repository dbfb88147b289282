// The layer contract of the training engine.
//
// Tensors are Eigen row-major matrices: one row per sample, the sample's values
// flattened in row-major order of its Shape. Images are (height, width, channels)
// and sequences (length, channels): channels last, as in TFLite, so the integer
// kernels of later stages read the same layout.
//
// A layer does not own its input or output; the Model keeps every activation of a
// forward pass and hands them back to backward(). A layer may cache what it needs
// for backward (BatchNorm's batch statistics, Dropout's mask) during a training
// forward pass; backward must follow the training forward of the same batch.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tinymlops/core/rng.h"
#include "tinymlops/data/dataset.h"

namespace tinymlops {

// A per-sample tensor shape, outermost first, e.g. {64} or {8, 8, 1}.
struct Shape {
  std::vector<int> dims;

  int64_t size() const;              // product of dims (1 for a scalar)
  int rank() const { return static_cast<int>(dims.size()); }
  std::string to_string() const;    // "8x8x1"
  bool operator==(const Shape&) const = default;
};

// Parses "64" or "8x8x1". Throws Error(kParse) naming `where` on bad text.
Shape parse_shape(const std::string& text, const std::string& where);

// Every layer kind, tied to its serialized name by kLayerKindNames.
enum class LayerKind {
  kDense,
  kConv1D,
  kConv2D,
  kDepthwiseConv2D,
  kMaxPool,
  kAvgPool,
  kGlobalAvgPool,
  kFlatten,
  kDropout,
  kBatchNorm,
  kActivation,
  kCount,
};
const char* layer_kind_name(LayerKind kind);
// Throws Error(kParse) naming `where` for an unknown name.
LayerKind parse_layer_kind(const std::string& name, const std::string& where);

enum class ActivationKind {
  kLinear,
  kRelu,
  kRelu6,
  kLeakyRelu,  // alpha = 0.01 unless configured
  kElu,        // alpha = 1
  kSigmoid,
  kTanh,
  kSoftplus,
  kSwish,      // x * sigmoid(x)
  kSoftmax,    // over the whole sample
  kCount,
};
const char* activation_name(ActivationKind kind);
bool lookup_activation(const std::string& name, ActivationKind* kind);

enum class Initializer {
  kGlorotUniform,  // U(-l, l), l = sqrt(6 / (fan_in + fan_out)); the default
  kHeNormal,       // N(0, 2 / fan_in)
  kNormal,         // N(0, 0.05^2)
  kUniform,        // U(-0.05, 0.05)
  kCount,
};
const char* initializer_name(Initializer init);
Initializer parse_initializer(const std::string& name);  // throws Error(kUsage)

// Fills `values` by `init` for a weight tensor with the given fans.
void initialize(Initializer init, int64_t fan_in, int64_t fan_out, Rng& rng, Eigen::VectorXf& values);

// A tensor owned by a layer: trainable weights, or saved state such as BatchNorm's
// running statistics (trainable = false: saved with the model, never optimized).
struct Param {
  std::string name;        // "weights", "bias", "gamma", "running_mean", ...
  std::vector<int> shape;  // as stored; product == value.size()
  Eigen::VectorXf value;
  Eigen::VectorXf grad;    // same size as value; the trainer zeroes it per batch
  bool trainable = true;
  bool decays = true;      // weight decay applies (weights), or not (biases, BN)
};

// Names and shapes `param` and zeroes its value and gradient (trainable).
void allocate_param(Param& param, std::string name, std::vector<int> shape, bool decays);

struct ForwardContext {
  bool training = false;  // dropout active, batch-norm uses batch statistics
  Rng* rng = nullptr;     // REQUIRES non-null when training (dropout draws from it)
  // When set, Model::forward calls it with each layer's index and output, which
  // it may change in place (quantization-aware training fake-quantizes here;
  // backward treats the change as the identity: a straight-through estimator).
  const std::function<void(size_t layer, Matrix& output)>* after_layer = nullptr;
};

class Layer {
 public:
  virtual ~Layer() = default;

  virtual LayerKind kind() const = 0;

  // Fixes the input shape, allocates parameters and draws their initial values.
  // Throws Error(kInvalid) when the input shape does not fit the layer (e.g. a
  // conv kernel larger than the image); the message names the layer and shapes.
  virtual void build(const Shape& input, Initializer init, Rng& rng) = 0;

  const Shape& input_shape() const { return input_shape_; }
  virtual Shape output_shape() const = 0;

  // output = f(input). REQUIRES: input.cols() == input_shape().size().
  // `output` is resized by the layer.
  virtual void forward(const Matrix& input, Matrix& output, const ForwardContext& context) = 0;

  // Given dL/d(output), adds dL/d(params) into each Param::grad and, when
  // grad_input is non-null, writes dL/d(input) into it (resized by the layer).
  // REQUIRES: the last forward was a training forward of this same `input`.
  virtual void backward(const Matrix& input, const Matrix& output, const Matrix& grad_output,
                        Matrix* grad_input) = 0;

  // The layer's tensors, in a fixed order (the model file relies on it).
  virtual std::vector<Param*> params() { return {}; }

  // Hyper-parameters; with kind(), enough for make_layer to rebuild the layer.
  virtual nlohmann::json config() const = 0;

  // Multiply-accumulates per sample of a forward pass (0 for layers without any).
  virtual int64_t macs() const { return 0; }

 protected:
  Shape input_shape_;
};

// The "weights" tensor of a Dense, Conv1D, Conv2D or DepthwiseConv2D layer (the
// tensors compression prunes, clusters and quantizes); null for other layers.
Param* weights_param(Layer& layer);

// Builds an unbuilt layer of `kind` from its config (as written by config()).
// Throws Error(kParse) naming `where` for a missing or bad field.
std::unique_ptr<Layer> make_layer(LayerKind kind, const nlohmann::json& config,
                                  const std::string& where);

}  // namespace tinymlops

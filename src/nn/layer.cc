#include "tinymlops/nn/layer.h"

#include <charconv>
#include <cmath>

#include "tinymlops/core/error.h"

namespace tinymlops {

namespace {

constexpr const char* kLayerKindNames[] = {
    "dense",   "conv1d",  "conv2d",        "depthwise_conv2d", "maxpool",    "avgpool",
    "global_avgpool", "flatten", "dropout", "batchnorm", "activation",
};
static_assert(std::size(kLayerKindNames) == static_cast<size_t>(LayerKind::kCount));

constexpr const char* kActivationNames[] = {
    "linear", "relu", "relu6", "leaky_relu", "elu", "sigmoid", "tanh", "softplus", "swish", "softmax",
};
static_assert(std::size(kActivationNames) == static_cast<size_t>(ActivationKind::kCount));

constexpr const char* kInitializerNames[] = {"glorot_uniform", "he_normal", "normal", "uniform"};
static_assert(std::size(kInitializerNames) == static_cast<size_t>(Initializer::kCount));

template <size_t N>
std::string joined(const char* const (&names)[N]) {
  std::string text;
  for (const char* name : names) text += std::string(text.empty() ? "" : ", ") + name;
  return text;
}

}  // namespace

int64_t Shape::size() const {
  int64_t product = 1;
  for (int d : dims) product *= d;
  return product;
}

std::string Shape::to_string() const {
  std::string text;
  for (size_t i = 0; i < dims.size(); ++i) text += (i ? "x" : "") + std::to_string(dims[i]);
  return text;
}

Shape parse_shape(const std::string& text, const std::string& where) {
  Shape shape;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('x', start);
    if (end == std::string::npos) end = text.size();
    int value = 0;
    auto [ptr, ec] = std::from_chars(text.data() + start, text.data() + end, value);
    if (ec != std::errc() || ptr != text.data() + end || value <= 0) {
      throw Error(ErrorKind::kParse, where,
                  "bad shape '" + text + "' (expected positive sizes like 64 or 8x8x1)");
    }
    shape.dims.push_back(value);
    start = end + 1;
  }
  return shape;
}

const char* layer_kind_name(LayerKind kind) { return kLayerKindNames[static_cast<int>(kind)]; }

LayerKind parse_layer_kind(const std::string& name, const std::string& where) {
  for (size_t i = 0; i < std::size(kLayerKindNames); ++i) {
    if (name == kLayerKindNames[i]) return static_cast<LayerKind>(i);
  }
  throw Error(ErrorKind::kParse, where,
              "unknown layer '" + name + "' (known: " + joined(kLayerKindNames) + ")");
}

const char* activation_name(ActivationKind kind) { return kActivationNames[static_cast<int>(kind)]; }

bool lookup_activation(const std::string& name, ActivationKind* kind) {
  for (size_t i = 0; i < std::size(kActivationNames); ++i) {
    if (name == kActivationNames[i]) {
      *kind = static_cast<ActivationKind>(i);
      return true;
    }
  }
  return false;
}

const char* initializer_name(Initializer init) { return kInitializerNames[static_cast<int>(init)]; }

Initializer parse_initializer(const std::string& name) {
  for (size_t i = 0; i < std::size(kInitializerNames); ++i) {
    if (name == kInitializerNames[i]) return static_cast<Initializer>(i);
  }
  throw Error(ErrorKind::kUsage, "",
              "unknown initializer '" + name + "' (known: " + joined(kInitializerNames) + ")");
}

Param* weights_param(Layer& layer) {
  const LayerKind kind = layer.kind();
  if (kind != LayerKind::kDense && kind != LayerKind::kConv1D && kind != LayerKind::kConv2D &&
      kind != LayerKind::kDepthwiseConv2D) {
    return nullptr;
  }
  for (Param* p : layer.params()) {
    if (p->name == "weights") return p;
  }
  return nullptr;
}

void allocate_param(Param& param, std::string name, std::vector<int> shape, bool decays) {
  param.name = std::move(name);
  param.shape = std::move(shape);
  int64_t size = 1;
  for (int d : param.shape) size *= d;
  param.value = Eigen::VectorXf::Zero(size);
  param.grad = Eigen::VectorXf::Zero(size);
  param.decays = decays;
}

void initialize(Initializer init, int64_t fan_in, int64_t fan_out, Rng& rng, Eigen::VectorXf& values) {
  switch (init) {
    case Initializer::kGlorotUniform: {
      float limit = std::sqrt(6.0f / static_cast<float>(fan_in + fan_out));
      for (float& v : values) v = rng.uniform(-limit, limit);
      return;
    }
    case Initializer::kHeNormal: {
      float stddev = std::sqrt(2.0f / static_cast<float>(fan_in));
      for (float& v : values) v = stddev * rng.normal();
      return;
    }
    case Initializer::kNormal:
      for (float& v : values) v = 0.05f * rng.normal();
      return;
    case Initializer::kUniform:
      for (float& v : values) v = rng.uniform(-0.05f, 0.05f);
      return;
    case Initializer::kCount:
      break;
  }
  throw Error(ErrorKind::kUsage, "", "bad initializer");
}

}  // namespace tinymlops

#include "tinymlops/runtime/deploy_model.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "tinymlops/core/error.h"

namespace tinymlops {

static_assert(std::endian::native == std::endian::little, "tensor data is little-endian");

namespace {

constexpr const char* kDTypeNames[] = {"float32", "int8",    "int32",   "int4", "index4",
                                       "sparse8", "float16", "int16", "int64"};
static_assert(std::size(kDTypeNames) == static_cast<size_t>(DType::kInt64) + 1);
constexpr const char* kOpKindNames[] = {"quantize", "dequantize", "fully_connected", "conv2d", "depthwise_conv2d",
                                        "max_pool", "avg_pool",  "activation",      "lookup", "softmax"};
static_assert(std::size(kOpKindNames) == static_cast<size_t>(OpKind::kCount));
constexpr const char* kActivationNames[] = {"linear", "relu",     "relu6",    "leaky_relu", "elu",
                                            "sigmoid", "tanh",    "softplus", "swish"};

// Checks of one op against the invariants of deploy_model.h.
class OpChecker {
 public:
  OpChecker(const DeployModel& model, size_t index, const std::string& where)
      : model_(model), op_(model.ops[index]), where_(where + ": ops[" + std::to_string(index) + "] (" +
                                                     op_kind_name(model.ops[index].kind) + ")") {}

  [[noreturn]] void fail(const std::string& message) const { throw Error(ErrorKind::kInvalid, where_, message); }

  void require(bool condition, const std::string& message) const {
    if (!condition) fail(message);
  }

  const DeployTensor& tensor(int index) const {
    require(index >= 0 && static_cast<size_t>(index) < model_.tensors.size(),
            "tensor index " + std::to_string(index) + " out of range");
    return model_.tensors[static_cast<size_t>(index)];
  }

  void check() const {
    require(!op_.inputs.empty(), "no inputs");
    const DeployTensor& x = tensor(op_.inputs[0]);
    const DeployTensor& y = tensor(op_.output);
    require(!x.is_constant() && !y.is_constant(), "activation tensors must not hold data");
    for (const DeployTensor* t : {&x, &y}) {
      if (t->dtype == DType::kInt8) check_activation_quant(*t);
      if (t->dtype == DType::kInt16) check_int16_quant(*t);
      require(t->dtype == DType::kFloat32 || t->dtype == DType::kInt8 || t->dtype == DType::kInt16,
              "activation '" + t->name + "' must be float32, int8 or int16");
    }
    switch (op_.kind) {
      case OpKind::kQuantize:
        require(x.dtype == DType::kFloat32 && is_integer(y.dtype), "needs float32 in, int8 or int16 out");
        require(x.size() == y.size(), "input and output sizes differ");
        break;
      case OpKind::kDequantize:
        require(is_integer(x.dtype) && y.dtype == DType::kFloat32, "needs int8 or int16 in, float32 out");
        require(x.size() == y.size(), "input and output sizes differ");
        break;
      case OpKind::kFullyConnected: check_weighted({static_cast<int>(y.size()), static_cast<int>(x.size())}); break;
      case OpKind::kConv2D: {
        require(x.shape.size() == 3 && y.shape.size() == 3, "needs HxWxC input and output");
        check_geometry(x, y);
        check_weighted({y.shape[2], op_.kernel_h, op_.kernel_w, x.shape[2]});
        break;
      }
      case OpKind::kDepthwiseConv2D: {
        require(x.shape.size() == 3 && y.shape.size() == 3, "needs HxWxC input and output");
        require(y.shape[2] % x.shape[2] == 0, "output channels are not a multiple of the input channels");
        check_geometry(x, y);
        check_weighted({op_.kernel_h, op_.kernel_w, y.shape[2]});
        break;
      }
      case OpKind::kMaxPool:
      case OpKind::kAvgPool:
        require(x.shape.size() == 3 && y.shape.size() == 3 && x.shape[2] == y.shape[2],
                "needs HxWxC input and output with the same channels");
        require(op_.pad_top == 0 && op_.pad_left == 0, "pooling has no padding");
        check_geometry(x, y);
        same_type_and_quant(x, y);
        require(x.dtype != DType::kInt16 || op_.kind != OpKind::kAvgPool || int64_t{op_.kernel_h} * op_.kernel_w <= 65535,
                "an int16 average pool takes at most 65535 values per window");
        break;
      case OpKind::kActivation:
      case OpKind::kSoftmax:
        require(x.dtype == DType::kFloat32 && y.dtype == DType::kFloat32, "needs float32");
        require(x.size() == y.size(), "input and output sizes differ");
        break;
      case OpKind::kLookup:
        require(is_integer(x.dtype) && x.dtype == y.dtype, "needs int8 or int16 input and output of one dtype");
        require(x.size() == y.size(), "input and output sizes differ");
        break;
      case OpKind::kCount: fail("bad op kind");
    }
  }

 private:
  void check_activation_quant(const DeployTensor& t) const {
    require(t.scales.size() == 1 && t.scales[0] > 0, "int8 tensor '" + t.name + "' needs one positive scale");
    require(t.zero_point >= -128 && t.zero_point <= 127, "zero point of '" + t.name + "' outside int8");
  }

  // int16x8 activations: one positive scale, symmetric.
  void check_int16_quant(const DeployTensor& t) const {
    require(t.scales.size() == 1 && t.scales[0] > 0, "int16 tensor '" + t.name + "' needs one positive scale");
    require(t.zero_point == 0, "int16 tensor '" + t.name + "' must have zero point 0 (symmetric)");
  }

  static bool is_integer(DType dtype) { return dtype == DType::kInt8 || dtype == DType::kInt16; }

  void same_type_and_quant(const DeployTensor& x, const DeployTensor& y) const {
    require(x.dtype == y.dtype, "input and output dtypes differ");
    require(!is_integer(x.dtype) || (x.scales == y.scales && x.zero_point == y.zero_point),
            "integer input and output must share scale and zero point");
  }

  // Every output position reads inside the (padded) input. Pooling kernels do no
  // bounds checks, so their windows must lie wholly inside the input.
  void check_geometry(const DeployTensor& x, const DeployTensor& y) const {
    require(op_.kernel_h >= 1 && op_.kernel_w >= 1 && op_.stride_h >= 1 && op_.stride_w >= 1,
            "kernel and stride must be at least 1");
    require(op_.pad_top >= 0 && op_.pad_top < op_.kernel_h && op_.pad_left >= 0 && op_.pad_left < op_.kernel_w,
            "padding must be in [0, kernel)");
    const bool pool = is_pooling(op_.kind);
    auto fits = [pool](int in, int out, int kernel, int stride, int pad) {
      const int64_t last_start = int64_t{out - 1} * stride - pad;
      return pool ? last_start + kernel <= in : last_start < in;
    };
    require(fits(x.shape[0], y.shape[0], op_.kernel_h, op_.stride_h, op_.pad_top) &&
                fits(x.shape[1], y.shape[1], op_.kernel_w, op_.stride_w, op_.pad_left),
            "output shape does not fit the input, kernel, stride and padding");
  }

  void check_weighted(const std::vector<int>& weight_shape) const {
    const bool clustered = op_.inputs.size() == 4;
    require(op_.inputs.size() == 3 || clustered, "needs input, weights and bias (and a codebook)");
    require(op_.activation == DeployActivation::kLinear || op_.activation == DeployActivation::kRelu ||
                op_.activation == DeployActivation::kRelu6,
            "fused activation must be linear, relu or relu6");
    const DeployTensor& x = tensor(op_.inputs[0]);
    const DeployTensor& w = tensor(op_.inputs[1]);
    const DeployTensor& b = tensor(op_.inputs[2]);
    const DeployTensor& y = tensor(op_.output);
    const int channels = weight_shape[op_.kind == OpKind::kDepthwiseConv2D ? 2 : 0];
    require(w.shape == weight_shape, "weights '" + w.name + "' have the wrong shape");
    require(b.shape == std::vector<int>{channels}, "bias '" + b.name + "' has the wrong shape");
    for (const DeployTensor* t : {&w, &b}) {
      const int64_t base_bytes = data_bytes(t->dtype, t->size());  // kSparse8: its bitmap
      int64_t expected = base_bytes;
      if (t->dtype == DType::kSparse8 && static_cast<int64_t>(t->data.size()) >= base_bytes) {
        // The bitmap's set bits (none past the last weight) count the values after it.
        for (int64_t i = 0; i < base_bytes; ++i) {
          expected += std::popcount(static_cast<uint8_t>(t->data[static_cast<size_t>(i)]));
        }
        const int spare_bits = static_cast<int>(base_bytes * 8 - t->size());
        const auto last = static_cast<uint8_t>(t->data[static_cast<size_t>(base_bytes - 1)]);
        require(spare_bits == 0 || (last >> (8 - spare_bits)) == 0, "sparse bitmap marks weights past the end");
      }
      require(static_cast<int64_t>(t->data.size()) == expected,
              "constant '" + t->name + "' has " + std::to_string(t->data.size()) + " bytes, expected " +
                  std::to_string(expected));
    }
    if (x.dtype == DType::kFloat32) {
      // Weight-only compression (any weighted op): float16, or int8 with one scale per output.
      const bool compressed = w.dtype == DType::kFloat16 || w.dtype == DType::kInt8;
      require((w.dtype == DType::kFloat32 || compressed) && b.dtype == DType::kFloat32 && y.dtype == DType::kFloat32,
              "float32 op needs float32, float16 or int8 weights and float32 bias and output");
      require(w.dtype != DType::kInt8 || (w.zero_point == 0 && w.scales.size() == static_cast<size_t>(channels)),
              "weight-only int8 needs one scale per output and zero point 0");
      return;
    }
    if (x.dtype == DType::kInt16) {
      check_int16x8_weighted(w, b, y, channels);
      return;
    }
    // int4 and clustered weights: every weighted op; sparse: not depthwise (no
    // kernel: its flat order interleaves the output channels, kernels/tml_conv.h).
    const bool int4 = w.dtype == DType::kInt4, sparse = w.dtype == DType::kSparse8;
    require(!sparse || op_.kind != OpKind::kDepthwiseConv2D,
            "sparse weights are supported by fully_connected and conv2d only");
    require(clustered == (w.dtype == DType::kIndex4), "index4 weights go with a codebook, and only they");
    if (clustered) {
      const DeployTensor& codebook = tensor(op_.inputs[3]);
      require(codebook.dtype == DType::kInt8 && codebook.shape.size() == 1 && codebook.shape[0] == 16 &&
                  static_cast<int64_t>(codebook.data.size()) == 16,
              "the codebook must be 16 int8 constants");
    }
    require(x.dtype == DType::kInt8 && (w.dtype == DType::kInt8 || int4 || clustered || sparse) &&
                b.dtype == DType::kInt32 && y.dtype == DType::kInt8,
            "int8 op needs int8 input, int8/int4/index4/sparse8 weights, int8 output and int32 bias");
    require(w.zero_point == 0, "int8 weights are symmetric (zero point 0)");
    require(w.scales.size() == static_cast<size_t>(channels), "weights need one scale per output channel");
    for (float s : w.scales) require(s > 0, "weight scales must be positive");
    check_accumulator_bound(w, b, channels, clustered ? &tensor(op_.inputs[3]) : nullptr);
  }

  // The int32 accumulator of an int8 op (kernels/tml_common.h) cannot overflow,
  // in whatever order a kernel adds the products, when for every output channel
  //   |bias| + 255 * sum |w| <= 2^31 - 1
  // (|x - zero_point| <= 255; a padded tap adds 0). Quantization gives |w| <= 127
  // per channel, so only a layer of about 66,000 taps or more, or a bias near the
  // int32 limits, can break it; such a model is refused rather than left to
  // overflow (undefined behaviour in C) on the device.
  void check_accumulator_bound(const DeployTensor& w, const DeployTensor& b, int channels,
                               const DeployTensor* codebook) const {
    const std::vector<int8_t> weights = tensor_int8(w);  // index4: codebook indices
    const std::vector<int8_t> book = codebook ? tensor_int8(*codebook) : std::vector<int8_t>{};
    const bool depthwise = op_.kind == OpKind::kDepthwiseConv2D;  // {kh, kw, channels}
    const size_t per_channel = weights.size() / static_cast<size_t>(channels);
    std::vector<int64_t> worst(static_cast<size_t>(channels), 0);
    for (size_t i = 0; i < weights.size(); ++i) {
      const int value = codebook ? book[static_cast<size_t>(weights[i])] : weights[i];
      worst[depthwise ? i % static_cast<size_t>(channels) : i / per_channel] += 255 * std::abs(value);
    }
    const std::vector<int32_t> bias = tensor_int32(b);
    for (size_t c = 0; c < worst.size(); ++c) {
      worst[c] += std::abs(static_cast<int64_t>(bias[c]));
      require(worst[c] <= INT32_MAX, "output channel " + std::to_string(c) +
                                         " could overflow its int32 accumulator: |bias| + 255 x sum |w| = " +
                                         std::to_string(worst[c]) + " > 2147483647");
    }
  }

  // int16x8 (kernels/tml_common.h): int8 symmetric per-channel weights, int64
  // bias, int16 output. There are no int16 kernels for int4, clustered or
  // sparse weights.
  void check_int16x8_weighted(const DeployTensor& w, const DeployTensor& b, const DeployTensor& y,
                              int channels) const {
    require(op_.inputs.size() == 3 && w.dtype == DType::kInt8 && b.dtype == DType::kInt64 &&
                y.dtype == DType::kInt16,
            "int16x8 op needs int16 input, int8 weights, int64 bias and int16 output");
    require(w.zero_point == 0 && b.zero_point == 0, "int8 weights and int64 biases are symmetric (zero point 0)");
    require(w.scales.size() == static_cast<size_t>(channels), "weights need one scale per output channel");
    for (float s : w.scales) require(s > 0, "weight scales must be positive");
    for (int64_t v : tensor_int64(b)) {
      require(v >= -(int64_t{1} << 62) && v <= (int64_t{1} << 62), "int64 bias '" + b.name + "' beyond +-2^62");
    }
  }

  const DeployModel& model_;
  const DeployOp& op_;
  std::string where_;
};

}  // namespace

const char* dtype_name(DType dtype) { return kDTypeNames[static_cast<int>(dtype)]; }
int64_t data_bytes(DType dtype, int64_t count) {
  switch (dtype) {
    case DType::kInt8: return count;
    case DType::kInt4:
    case DType::kIndex4: return (count + 1) / 2;
    case DType::kSparse8: return (count + 7) / 8;
    case DType::kFloat16:
    case DType::kInt16: return 2 * count;
    case DType::kInt64: return 8 * count;
    default: return 4 * count;
  }
}
const char* op_kind_name(OpKind kind) { return kOpKindNames[static_cast<int>(kind)]; }
bool op_has_weights(OpKind kind) {
  return kind == OpKind::kFullyConnected || kind == OpKind::kConv2D || kind == OpKind::kDepthwiseConv2D;
}
bool is_pooling(OpKind kind) { return kind == OpKind::kMaxPool || kind == OpKind::kAvgPool; }
const char* deploy_activation_name(DeployActivation activation) {
  return kActivationNames[static_cast<int>(activation)];
}

int64_t DeployTensor::size() const {
  int64_t n = 1;
  for (int d : shape) n *= d;
  return n;
}

int DeployModel::add_tensor(DeployTensor tensor) {
  tensors.push_back(std::move(tensor));
  return static_cast<int>(tensors.size() - 1);
}

int64_t DeployModel::input_size() const { return tensors.at(static_cast<size_t>(input)).size(); }
int64_t DeployModel::output_size() const { return tensors.at(static_cast<size_t>(output)).size(); }

int64_t DeployModel::constant_bytes() const {
  int64_t bytes = 0;
  for (const DeployTensor& t : tensors) bytes += static_cast<int64_t>(t.data.size());
  return bytes;
}

int64_t DeployModel::op_macs(size_t index) const {
  const DeployOp& op = ops[index];
  const DeployTensor& y = tensors[static_cast<size_t>(op.output)];
  const DeployTensor& x = tensors[static_cast<size_t>(op.inputs[0])];
  switch (op.kind) {
    case OpKind::kFullyConnected: return x.size() * y.size();
    case OpKind::kConv2D: return y.size() * op.kernel_h * op.kernel_w * x.shape[2];
    case OpKind::kDepthwiseConv2D: return y.size() * op.kernel_h * op.kernel_w;
    default: return 0;
  }
}

int64_t DeployModel::macs() const {
  int64_t macs = 0;
  for (size_t i = 0; i < ops.size(); ++i) macs += op_macs(i);
  return macs;
}

uint32_t deploy_format_version(const DeployModel& model) {
  for (const DeployOp& op : model.ops) {
    if (op.kind != OpKind::kConv2D && op.kind != OpKind::kDepthwiseConv2D) continue;
    // Out-of-range indices are left to validate().
    auto in_range = [&](int t) { return t >= 0 && static_cast<size_t>(t) < model.tensors.size(); };
    if (op.inputs.size() < 2 || !in_range(op.inputs[0]) || !in_range(op.inputs[1])) continue;
    const DeployTensor& x = model.tensors[static_cast<size_t>(op.inputs[0])];
    const DeployTensor& w = model.tensors[static_cast<size_t>(op.inputs[1])];
    const bool dense = w.dtype == DType::kFloat32 || (w.dtype == DType::kInt8 && x.dtype != DType::kFloat32);
    if (!dense) return 3;  // compressed convolution weights
  }
  for (const DeployTensor& t : model.tensors) {
    if (t.dtype == DType::kInt16 || t.dtype == DType::kInt64) return 2;
  }
  return 1;
}

void DeployModel::validate(const std::string& where) const {
  auto fail = [&](const std::string& message) { throw Error(ErrorKind::kInvalid, where, message); };
  if (ops.empty()) fail("the model has no ops");
  if (input < 0 || static_cast<size_t>(input) >= tensors.size() || output < 0 ||
      static_cast<size_t>(output) >= tensors.size()) {
    fail("input or output tensor index out of range");
  }
  if (tensors[static_cast<size_t>(input)].dtype != DType::kFloat32) fail("the model input must be float32");
  for (const DeployTensor& t : tensors) {
    for (int d : t.shape) {
      if (d < 1) fail("tensor '" + t.name + "' has a dimension below 1");
    }
  }
  int previous = input;
  for (size_t i = 0; i < ops.size(); ++i) {
    OpChecker checker(*this, i, where);
    checker.require(ops[i].inputs.size() >= 1 && ops[i].inputs[0] == previous,
                    "does not read the previous op's output (the graph must be a chain)");
    checker.check();
    previous = ops[i].output;
  }
  if (previous != output) fail("the last op does not write the output tensor");
  const int64_t features =
      static_cast<int64_t>(metadata.feature_names.size()) * std::max(metadata.window.window, 1);
  if (input_size() != features) {
    fail("input size " + std::to_string(input_size()) + " does not match " + std::to_string(features) +
         " feature values");
  }
  if (metadata.task == Task::kClassification && !metadata.class_names.empty() && output_size() != 1 &&
      output_size() != static_cast<int64_t>(metadata.class_names.size())) {
    fail("output size " + std::to_string(output_size()) + " does not match " +
         std::to_string(metadata.class_names.size()) + " classes");
  }
}

std::vector<float> tensor_floats(const DeployTensor& tensor) {
  std::vector<float> values(tensor.data.size() / 4);
  std::memcpy(values.data(), tensor.data.data(), values.size() * 4);
  return values;
}

std::vector<int8_t> tensor_int8(const DeployTensor& tensor) {
  if (tensor.dtype == DType::kSparse8) {
    std::vector<int8_t> values(static_cast<size_t>(tensor.size()), 0);
    size_t next = static_cast<size_t>(data_bytes(DType::kSparse8, tensor.size()));
    for (size_t i = 0; i < values.size(); ++i) {
      if ((static_cast<uint8_t>(tensor.data[i / 8]) >> (i % 8)) & 1) values[i] = static_cast<int8_t>(tensor.data[next++]);
    }
    return values;
  }
  if (tensor.dtype != DType::kInt4 && tensor.dtype != DType::kIndex4) {
    return std::vector<int8_t>(tensor.data.begin(), tensor.data.end());
  }
  const bool is_signed = tensor.dtype == DType::kInt4;
  std::vector<int8_t> values(static_cast<size_t>(tensor.size()));
  for (size_t i = 0; i < values.size(); ++i) {
    const int byte = static_cast<uint8_t>(tensor.data[i / 2]);
    const int nibble = i % 2 ? byte >> 4 : byte & 0x0F;
    values[i] = static_cast<int8_t>(is_signed && nibble >= 8 ? nibble - 16 : nibble);
  }
  return values;
}

std::string sparse_int8(const std::vector<int8_t>& values) {
  std::string bytes((values.size() + 7) / 8, '\0');
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] != 0) {
      bytes[i / 8] = static_cast<char>(static_cast<uint8_t>(bytes[i / 8]) | (1u << (i % 8)));
    }
  }
  for (int8_t v : values) {
    if (v != 0) bytes.push_back(static_cast<char>(v));
  }
  return bytes;
}

std::string packed_int4(const std::vector<int8_t>& values) {
  std::string bytes((values.size() + 1) / 2, '\0');
  for (size_t i = 0; i < values.size(); ++i) {
    const auto nibble = static_cast<uint8_t>(values[i] & 0x0F);
    bytes[i / 2] = static_cast<char>(static_cast<uint8_t>(bytes[i / 2]) | (i % 2 ? nibble << 4 : nibble));
  }
  return bytes;
}

std::vector<int32_t> tensor_int32(const DeployTensor& tensor) {
  std::vector<int32_t> values(tensor.data.size() / 4);
  std::memcpy(values.data(), tensor.data.data(), values.size() * 4);
  return values;
}

std::vector<int64_t> tensor_int64(const DeployTensor& tensor) {
  std::vector<int64_t> values(tensor.data.size() / 8);
  std::memcpy(values.data(), tensor.data.data(), values.size() * 8);
  return values;
}

std::string bytes_of(const std::vector<int64_t>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * 8);
}

std::string bytes_of(const std::vector<float>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * 4);
}
std::string bytes_of(const std::vector<int8_t>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size());
}
std::string bytes_of(const std::vector<int32_t>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * 4);
}

}  // namespace tinymlops

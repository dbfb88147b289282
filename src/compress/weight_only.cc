#include "tinymlops/compress/weight_only.h"

#include <algorithm>
#include <cmath>

#include "tinymlops/core/error.h"
#include "tinymlops/runtime/quant_math.h"

namespace tinymlops {

namespace {

// Little-endian binary16 bit patterns of `values` (round to nearest even).
std::string half_bytes(const std::vector<float>& values) {
  std::string bytes;
  for (float v : values) {
    const uint16_t half = float_to_half(v);
    bytes.push_back(static_cast<char>(half & 0xFF));
    bytes.push_back(static_cast<char>(half >> 8));
  }
  return bytes;
}

// Symmetric int8 weights with one scale per output channel, max|w| / 127. The
// channel of flat index k: k / (size / channels) for fully-connected and
// conv2d weights (output-major), k % channels for depthwise ([KH][KW][C*M]).
DeployTensor weight_only_int8(const DeployTensor& w, int channels, bool depthwise) {
  const std::vector<float> values = tensor_floats(w);
  const size_t count = values.size(), per_channel = count / static_cast<size_t>(channels);
  auto channel_of = [&](size_t k) { return depthwise ? k % static_cast<size_t>(channels) : k / per_channel; };
  std::vector<float> max_abs(static_cast<size_t>(channels), 0.0f);
  for (size_t k = 0; k < count; ++k) max_abs[channel_of(k)] = std::max(max_abs[channel_of(k)], std::abs(values[k]));
  DeployTensor q = w;
  q.scales.clear();
  for (float m : max_abs) q.scales.push_back(m > 0 ? m / 127.0f : 1.0f);
  std::vector<int8_t> ints(count);
  for (size_t k = 0; k < count; ++k) {
    ints[k] = static_cast<int8_t>(std::clamp(std::lround(values[k] / q.scales[channel_of(k)]), -127L, 127L));
  }
  q.zero_point = 0;
  q.data = bytes_of(ints);
  return q;
}

}  // namespace

DeployModel compress_weights_only(const DeployModel& model, DType dtype) {
  if (model.variant != "float32") {
    throw Error(ErrorKind::kInvalid, "quantize", "the model is already " + model.variant + "; start from a float32 model");
  }
  if (dtype != DType::kFloat16 && dtype != DType::kInt8) {
    throw Error(ErrorKind::kInvalid, "quantize", "weight-only compression is float16 or int8");
  }
  DeployModel out = model;
  for (const DeployOp& op : out.ops) {
    if (!op_has_weights(op.kind)) continue;
    DeployTensor& w = out.tensors[static_cast<size_t>(op.inputs[1])];
    if (dtype == DType::kFloat16) {
      w.data = half_bytes(tensor_floats(w));
    } else {
      const int channels = out.tensors[static_cast<size_t>(op.inputs[2])].shape[0];
      w = weight_only_int8(w, channels, op.kind == OpKind::kDepthwiseConv2D);
    }
    w.dtype = dtype;
  }
  out.variant = dtype == DType::kFloat16 ? "float16" : "int8-weights";
  out.metadata.provenance["quantization"] = {{"method", dtype == DType::kFloat16 ? "fp16" : "dynamic"}};
  out.validate("quantize");
  return out;
}

}  // namespace tinymlops

#include "tinymlops/compress/weight_only.h"

#include <algorithm>
#include <cmath>

#include "tinymlops/core/error.h"
#include "tinymlops/runtime/quant_math.h"

namespace tinymlops {

DeployModel compress_weights_only(const DeployModel& model, DType dtype) {
  if (model.variant != "float32") {
    throw Error(ErrorKind::kInvalid, "quantize", "the model is already " + model.variant + "; start from a float32 model");
  }
  if (dtype != DType::kFloat16 && dtype != DType::kInt8) {
    throw Error(ErrorKind::kInvalid, "quantize", "weight-only compression is float16 or int8");
  }
  DeployModel out = model;
  for (const DeployOp& op : out.ops) {
    if (op.kind != OpKind::kFullyConnected) continue;
    DeployTensor& w = out.tensors[static_cast<size_t>(op.inputs[1])];
    const std::vector<float> values = tensor_floats(w);
    if (dtype == DType::kFloat16) {
      std::string bytes;
      for (float v : values) {
        const uint16_t half = float_to_half(v);
        bytes.push_back(static_cast<char>(half & 0xFF));
        bytes.push_back(static_cast<char>(half >> 8));
      }
      w.data = bytes;
    } else {
      const int outputs = w.shape[0], inputs = w.shape[1];
      std::vector<int8_t> ints(values.size());
      w.scales.clear();
      for (int o = 0; o < outputs; ++o) {
        float max_abs = 0;
        for (int i = 0; i < inputs; ++i) max_abs = std::max(max_abs, std::abs(values[static_cast<size_t>(o * inputs + i)]));
        const float scale = max_abs > 0 ? max_abs / 127.0f : 1.0f;
        w.scales.push_back(scale);
        for (int i = 0; i < inputs; ++i) {
          const size_t k = static_cast<size_t>(o * inputs + i);
          ints[k] = static_cast<int8_t>(std::clamp(std::lround(values[k] / scale), -127L, 127L));
        }
      }
      w.zero_point = 0;
      w.data = bytes_of(ints);
    }
    w.dtype = dtype;
  }
  out.variant = dtype == DType::kFloat16 ? "float16" : "int8-weights";
  out.metadata.provenance["quantization"] = {{"method", dtype == DType::kFloat16 ? "fp16" : "dynamic"}};
  out.validate("quantize");
  return out;
}

}  // namespace tinymlops

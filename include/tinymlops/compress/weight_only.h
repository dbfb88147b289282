// Weight-only compression of a float32 DeployModel: the weights of the dense,
// conv2d and depthwise_conv2d ops become float16 or int8 (one symmetric scale
// per output channel, max|w| / 127: "dynamic" quantization). Activations and
// biases stay float32, so no calibration is needed.
#pragma once

#include "tinymlops/runtime/deploy_model.h"

namespace tinymlops {

// `dtype` is DType::kFloat16 or DType::kInt8. REQUIRES a float32 model.
// Throws Error(kInvalid) otherwise.
DeployModel compress_weights_only(const DeployModel& model, DType dtype);

}  // namespace tinymlops

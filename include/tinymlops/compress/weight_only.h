// Weight-only compression of a float32 DeployModel: the dense layers' weights
// become float16 or int8 (one symmetric scale per output, "dynamic"
// quantization: activations stay float32, so no calibration is needed).
// Convolutions keep float32 weights (no kernels for these modes yet).
#pragma once

#include "tinymlops/runtime/deploy_model.h"

namespace tinymlops {

// `dtype` is DType::kFloat16 or DType::kInt8. REQUIRES a float32 model.
// Throws Error(kInvalid) otherwise.
DeployModel compress_weights_only(const DeployModel& model, DType dtype);

}  // namespace tinymlops

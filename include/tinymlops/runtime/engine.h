// The host reference engine: runs a DeployModel one sample at a time by calling
// the C kernels of kernels/, exactly as generated code does on a device.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "tinymlops/data/dataset.h"
#include "tinymlops/runtime/deploy_model.h"
#include "tinymlops/runtime/kernel_table.h"
#include "tinymlops/runtime/quant_math.h"
#include "tml_common.h"
#include "tml_conv.h"
#include "tml_pool.h"

namespace tinymlops {

class ReferenceEngine {
 public:
  // Precomputes each op's integer parameters and tables. `model` must be valid
  // and outlive the engine.
  explicit ReferenceEngine(const DeployModel& model);

  // Normalizes raw feature rows (model.input_size() columns) and runs every
  // row. Returns the output tensor per row as float (dequantized if integer).
  Matrix predict(const Matrix& raw_features);

  // Runs one already-normalized sample of model.input_size() floats.
  void run(const float* normalized_input);

  // A tensor's values after the last run(), as float (int8/int16 dequantized).
  std::vector<float> tensor_values(int tensor) const;

  // A tensor's bytes after the last run() (a constant's data), as the kernels
  // see them.
  const std::string& tensor_bytes(int tensor) const;

 private:
  // What op i's kernel arguments need, computed by the constructor.
  struct OpParams {
    const KernelEntry* kernel = nullptr;  // from select_kernel
    std::vector<int32_t> requant;         // packed (op_requant_packed)
    tml_q8_params q8{};
    tml_q16_params q16{};
    tml_conv_shape conv_shape{};
    tml_pool_shape pool_shape{};
    std::array<int8_t, 256> table{};
    std::vector<int16_t> table16;  // int16 kLookup: 513 entries
    float low = 0, high = 0;       // float clamp
  };
  // The value of argument `arg` of op `index`'s kernel.
  KernelArgValue argument(KernelArg arg, size_t index);

  const DeployModel& model_;
  std::vector<OpParams> params_;
  std::vector<std::string> buffers_;  // per tensor: activations' bytes (constants use model data)
};

}  // namespace tinymlops

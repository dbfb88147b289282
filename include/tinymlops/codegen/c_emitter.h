// C code generation: a DeployModel becomes <name>.h and <name>.c (C99,
// callable from C++ and Arduino sketches) plus the kernels/ files it uses,
// copied unchanged, so a device runs the very code the host reference engine
// runs (docs/codegen.md).
//
// The generated code allocates nothing: activations live in one static arena
// laid out by the memory planner, constants are `const` (PROGMEM on AVR, read
// through kernels/tml_common.h's TML_LD_* macros), and nothing prints.
// Generated API, for a model named `m`:
//   int m_predict(const float* raw_input, float* output);  raw sensor values in
//       (normalization and quantization inside), M_OUTPUT_SIZE floats out;
//   int m_predict_int8(const int8_t* input, int8_t* output);  int8 variants:
//       already quantized input (M_INPUT_SCALE, M_INPUT_ZERO_POINT), the int8
//       tensor before the final dequantization out (M_INT8_OUTPUT_SIZE);
//       int16x8 variants have m_predict_int16 and M_INT16_OUTPUT_SIZE alike;
//   int m_argmax(const float* output, float* confidence);
//   int m_should_offload(float confidence);  only with EmitOptions::offload_threshold
//       >= 0: 1 when confidence < M_OFFLOAD_THRESHOLD (the edge-cloud cascade's
//       question "ask the server?", docs/serving.md), else 0;
//   m_labels[] (classification), sizes, M_MODEL_SHA256, M_TOOL_VERSION.
// Each function returns M_OK (0) or M_ERROR_ARGUMENT for a null pointer.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tinymlops/codegen/memory_plan.h"
#include "tinymlops/runtime/deploy_model.h"
#include "tinymlops/runtime/kernel_table.h"

namespace tinymlops {

struct EmitOptions {
  std::string name = "model";  // C identifier prefix and file stem; sanitized
  std::string source;          // the model file it came from, for the header comment
  std::string command;         // the command that produced it, for the header comment
  bool cpp_wrapper = true;     // a thin C++ class in the header under __cplusplus
  // >= 0: also emit M_OFFLOAD_THRESHOLD (this value; a -D at compile time overrides
  // it) and m_should_offload. < 0: neither.
  double offload_threshold = -1;
  // KernelFeatures (runtime/kernel_table.h) of the target: ops call the
  // optimized kernels it has, the others the reference kernels (kPortable: only
  // those). Any choice gives the same integers.
  uint32_t kernel_features = kPortable;
};

// A generated file: path relative to the output folder, and its content.
struct GeneratedFile {
  std::string path;
  std::string content;
};

struct GeneratedCode {
  std::string name;  // the sanitized C name
  std::vector<GeneratedFile> files;  // <name>.h, <name>.c, then the kernel files, sorted
  MemoryPlan plan;
  std::string model_sha256;  // hex SHA-256 of the deploy model's .tdm bytes
  // 8 or 16: the model has an integer entry point, <name>_predict_int8 or
  // <name>_predict_int16 (int16x8 models); 0: none (float models).
  int integer_bits = 0;
};

// `name` as a C identifier: lower case, [a-z0-9_], not starting with a digit,
// never empty ("model").
std::string c_identifier(const std::string& name);

// A C float literal that reads back as exactly `value`. Throws Error(kInvalid)
// at `where` for NaN or infinity.
std::string c_float_literal(float value, const std::string& where);

// The prefix of the generated macros: c_identifier(name) in upper case.
std::string c_macro_prefix(const std::string& name);

// Generates the code of a valid `model`. Deterministic: the same model and
// options give the same bytes. Throws Error(kInvalid) for a constant that is
// not finite (it cannot be written as a C literal).
GeneratedCode emit_c(const DeployModel& model, const EmitOptions& options);

// The kernels/ files (name, content) compiled into the tool.
const std::vector<std::pair<std::string, std::string>>& kernel_sources();

}  // namespace tinymlops

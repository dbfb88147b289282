// The job behind `tinymlops codegen`: read a model file, generate the C code
// and write the package; a plain result for the CLI to print.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tinymlops/codegen/package.h"

namespace tinymlops {

struct CodegenConfig {
  std::string model;           // .tmlm (generated as float32) or .tdm
  std::string target = "c";    // package_target_name()
  std::string out;             // output folder
  std::string variant;         // when set, the model's variant must be this one
  std::string name;            // C name; empty: the model file's stem
  std::string command;         // recorded in the generated files' header comment
  std::string device;          // when set, refuse a model that does not fit it (fit_model), and call
                               // the optimized kernels of its core (Device::kernel_features)
  double offload_threshold = -1;  // >= 0: emit <name>_should_offload (EmitOptions)
};

struct CodegenResult {
  std::string name, variant, model_sha256;
  std::vector<std::string> files;   // written, relative to the output folder
  int64_t arena_bytes = 0, arena_lower_bound_bytes = 0, constant_bytes = 0;
  int integer_bits = 0;  // the integer entry point's (emit_c's GeneratedCode::integer_bits)
};

// Generates and writes the package. Throws Error(kUsage) when the model's
// variant is not the requested one (naming the command that makes it), and
// Error(kInvalid) when it does not fit config.device; nothing is written then.
CodegenResult run_codegen(const CodegenConfig& config);

}  // namespace tinymlops

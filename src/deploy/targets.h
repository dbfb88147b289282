// The verification targets: how to compile generated code for each, run it,
// and read its section sizes (internal to src/deploy).
#pragma once

#include <string>
#include <vector>

#include "tinymlops/deploy/verify.h"
#include "tinymlops/runtime/kernel_table.h"

namespace tinymlops {

struct TargetToolchain {
  std::string compiler;                    // C compiler on PATH
  std::string size_tool;                   // binutils `size` for the target
  std::vector<std::string> flags;          // compile flags for every C file
  std::vector<std::string> strict_flags;   // added for the generated model and kernels
  std::vector<std::string> link_flags;     // after the object files
  std::vector<std::string> support_files;  // written next to the harness: startup code, linker script
  std::string platform_header;             // harness_platform.h
  std::vector<std::string> run;            // the command that runs "harness.elf" in the build folder
  double run_timeout_seconds = 120;
  std::string counter_unit;                // "cycles", "instructions" or "" (no counter)
  int counter_scale = 0;                   // counter_unit per count of harness_counter()
  int default_rows = 100;
  bool constants_in_text = false;          // AVR: PROGMEM constants land in .text
  uint32_t kernel_features = kPortable;    // the optimized kernels it runs (runtime/kernel_table.h)
};

const TargetToolchain& target_toolchain(VerifyTarget target);

// Content of a support file named in support_files (e.g. "startup.c").
std::string target_support_file(VerifyTarget target, const std::string& name);

}  // namespace tinymlops

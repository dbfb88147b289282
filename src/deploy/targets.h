// The verification targets: how to compile generated code for each, run it,
// and read its section sizes (internal to src/deploy).
#pragma once

#include <string>
#include <vector>

#include "tinymlops/deploy/verify.h"
#include "tinymlops/runtime/kernel_table.h"

namespace tinymlops {

// A file written next to the harness: startup code, a linker script.
struct SupportFile {
  std::string name, content;
};

struct TargetToolchain {
  std::string compiler;                    // C compiler on PATH
  std::string size_tool;                   // binutils `size` for the target
  std::vector<std::string> flags;          // compile flags for every C file
  std::vector<std::string> strict_flags;   // added for the generated model and kernels
  std::vector<std::string> link_flags;     // after the object files
  std::vector<SupportFile> support_files;
  std::string platform_header;             // harness_platform.h
  std::vector<std::string> run;            // the command that runs "harness.elf" in the build folder
  double run_timeout_seconds = 120;
  std::string counter_unit;                // "cycles", "instructions" or "" (no counter)
  // counter_unit per count of harness_counter(): counter_scale / counter_divisor
  // (0: no counter).
  int counter_scale = 0, counter_divisor = 1;
  int default_rows = 100;
  // Constants land in .text: AVR (PROGMEM), and picolibc's linker script on RV32.
  bool constants_in_text = false;
  // AVR: the flash address below which constants must end to be read (64 KB
  // where Device::constant_reach_bytes is set; 0: no limit), and the `nm` that
  // finds where they end.
  int64_t constant_reach_bytes = 0;
  std::string nm_tool;
  uint32_t kernel_features = kPortable;    // the optimized kernels it runs (runtime/kernel_table.h)
};

const TargetToolchain& target_toolchain(VerifyTarget target);

}  // namespace tinymlops

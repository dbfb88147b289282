// On-device verification: the generated C code of a model is built with a
// test harness for a target, run (natively; on Cortex-M0, M4, M7 and M33 cores
// and an RV32IMAC core under QEMU; on an ATmega328P and an ATmega2560 under
// simavr) on held-out rows, and every output is compared with the host
// reference engine (docs/codegen.md, "tinymlops verify").
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tinymlops/core/progress.h"
#include "tinymlops/data/dataset.h"
#include "tinymlops/runtime/deploy_model.h"

namespace tinymlops {

// The emulated boards (docs/codegen.md, "tinymlops verify"): cortex-m0 a BBC micro:bit (QEMU
// microbit), cortex-m4 an MPS2 AN386, cortex-m7 an MPS2 AN500, cortex-m33 an
// MPS2 AN505, rv32 QEMU's virt machine with an RV32IMAC core, avr an
// ATmega328P (Arduino Uno), avr-mega an ATmega2560 (Arduino Mega).
enum class VerifyTarget { kHost, kCortexM0, kCortexM4, kCortexM7, kCortexM33, kRv32, kAvr, kAvrMega };
// "host", "cortex-m0", "cortex-m4", "cortex-m7", "cortex-m33", "rv32", "avr", "avr-mega"
const char* verify_target_name(VerifyTarget target);
std::string verify_target_names();  // all of them, comma-separated
// Throws Error(kUsage) listing the targets for an unknown name.
VerifyTarget parse_verify_target(const std::string& name);
// Rows verified when none are asked for: host 200, the 32-bit cores 100, the
// AVRs 16 (the rows are stored in the harness's flash, 32 KB on an ATmega328P).
int default_verify_rows(VerifyTarget target);

struct VerifyOptions {
  VerifyTarget target = VerifyTarget::kHost;
  // Float outputs pass when |device - host| <= tolerance * max(1, |host|).
  double tolerance = 1e-4;
  // Where the build happens (kept afterwards); empty: a temporary folder,
  // removed when verification ends.
  std::filesystem::path work_dir;
  // Compiler optimization level for every file ("0", "1", "2", "3", "s", "z");
  // empty: the target's own (-O2 on host and Cortex-M4, -Os on AVR).
  std::string optimization;
  // true: the generated code calls the reference kernels even where the target
  // has optimized ones (kernel_table.h), e.g. to measure what those save. A
  // size-first build (optimization "s" or "z") calls them too: their loops are
  // the smallest.
  bool reference_kernels = false;
  // true: the program is built and run a second time with the model's
  // profiling marks (<NAME>_PROFILE in the generated header) to fill
  // VerifyReport::steps; on host, which has no counter, nothing is profiled.
  bool profile = false;
};

// One step of the float entry point, as `verify --profile` measured it.
struct VerifyStep {
  std::string op;      // "input" (normalizing the raw input), op_kind_name of an op, "output" (copying it out)
  std::string kernel;  // the kernels/ function that ran the op (kernel_table.h); "" for input and output
  int64_t macs = 0;
  int64_t values = 0;  // the values the step writes: the input's, the op's output's, the model's outputs
  // counter units (VerifyReport::counter_unit) per inference, less the cost of
  // a mark, averaged over the rows. On cortex-m4 the counter ticks every 40
  // instructions, so a step's figure is exact to about 40 / rows.
  int64_t counter_per_inference = 0;
};

struct VerifyReport {
  std::string target, variant, model_sha256;
  std::string kernels;  // kernel_features_name of the kernels the code called: "reference", "arm-dsp"
  int rows = 0, outputs = 0;
  // Integer models (8: int8, 16: int16x8; 0: float): the integer entry point
  // fed the host's quantized input; a row mismatches when any integer output
  // differs from the host's.
  int integer_bits = 0;
  int integer_mismatched_rows = 0;
  // The float entry point fed raw values: rows whose outputs are identical bit
  // for bit, and rows with an output beyond the tolerance.
  int float_identical_rows = 0;
  int float_mismatched_rows = 0;
  double max_abs_difference = 0;
  double tolerance = 0;
  // What the model adds to a firmware (linked with and without it): flash =
  // text + rodata, RAM = data + bss; the arena is part of that RAM.
  int64_t flash_bytes = 0, ram_bytes = 0, arena_bytes = 0;
  int64_t weight_bytes = 0;  // the deploy model's constants (weights, biases), part of flash_bytes
  int64_t arena_lower_bound = 0;  // the memory planner's bound: most bytes live during one op
  int64_t macs = 0;               // multiply-accumulates of one inference (DeployModel::macs)
  // Machine code (.text) of flash_bytes: kernels, entry points, the libc and libm
  // functions they call; the rest is constant data (weights and tables). -1 on
  // AVR and rv32, where constants sit in .text.
  int64_t code_bytes = -1;
  // Peak stack of one float inference, measured by stack painting (-1 on host).
  int64_t stack_bytes = -1;
  // Per float inference, averaged over the rows: "cycles" (simavr) or
  // "instructions" (QEMU -icount); empty unit and -1 on host.
  std::string counter_unit;
  int64_t counter_per_inference = -1;
  std::vector<VerifyStep> steps;  // VerifyOptions::profile: one per step, in order
  bool passed = false;
};

// The report as `verify --json` prints it, every field under its own name, in
// this order: target, variant, model_sha256, kernels, rows, outputs, integer_bits,
// integer_mismatched_rows, float_identical_rows, float_mismatched_rows,
// max_abs_difference, tolerance, flash_bytes, weight_bytes, code_bytes, ram_bytes,
// arena_bytes, arena_lower_bound, macs, stack_bytes, counter_unit,
// counter_per_inference, passed; and when profiled, "steps": an array of
// {op, kernel, macs, values, counter_per_inference}. Scripts read these keys
// (tests/cli/golden/verify.keys).
nlohmann::ordered_json to_json(const VerifyReport& report);

// Builds, runs and compares `model` on the rows of `raw_rows` (raw feature
// values, one row per sample). Throws Error(kUsage) for no rows, rows of the
// wrong width or holding a value that is not finite, Error(kIo) when a
// toolchain is missing or the build fails (with the compiler's message),
// Error(kInvalid) when the program crashes or prints something unexpected.
VerifyReport verify_model(const DeployModel& model, const Matrix& raw_rows, const VerifyOptions& options,
                          Progress* progress);

// `count` rows of `features` evenly spaced from first to last (all rows when
// there are fewer).
Matrix spread_rows(const Matrix& features, int count);

}  // namespace tinymlops

// What a model's inference costs on a board, estimated from the measured cost
// of each kernel it runs: `fit`'s latency.
//
// Each step of the float entry point -- normalizing the input, each op's kernel
// (runtime/kernel_table.h), copying the outputs -- costs about
//   per_mac * its MACs + per_value * the values it writes
// counter units, fitted by least squares to `verify --profile` runs of four
// models in every variant (bench/kernel_costs, which prints the table in
// src/deploy/kernel_costs.cc): cycles of the ATmega328P under simavr;
// instructions under QEMU of the Cortex-M4, on its DSP kernels and on the
// reference kernels, and of the Cortex-M0 and an RV32IMAC core, whose float
// kernels run on software floating point. docs/codegen.md says how close the
// estimates come.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "tinymlops/deploy/devices.h"
#include "tinymlops/runtime/deploy_model.h"

namespace tinymlops {

struct KernelCost {
  double per_mac = 0;    // counter units per multiply-accumulate
  double per_value = 0;  // counter units per value written
};

// The verify target each CostTable (devices.h) was measured on: "avr",
// "cortex-m0", "cortex-m4", "rv32".
const char* cost_table_name(CostTable table);

// The measured cost of the kernels/ function `kernel` on `table`'s target
// ("input" and "output" for the entry point's own steps), or nullopt when no
// measurement has it (a kernel that target never selects).
std::optional<KernelCost> measured_kernel_cost(CostTable table, std::string_view kernel);

// Estimated cycles of one inference of `model` through its float entry point
// on `device`: the sum of its steps' measured costs on Device::cost_table, for
// the kernels the device's features select. Instructions are taken as cycles.
// REQUIRES a valid model. Throws Error(kInvalid) naming a kernel with no
// measured cost (check_kernel_costs says there is none).
double estimate_cycles(const DeployModel& model, const Device& device);

// Throws Error(kInvalid) naming the first kernel that a board of the device
// catalogue can run (with its kernel features) and that has no measured cost
// on its table, or a board without an FPU costed on the Cortex-M4F's table.
void check_kernel_costs();

}  // namespace tinymlops

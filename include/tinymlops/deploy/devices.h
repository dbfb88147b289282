// The device catalogue and the fit check: does a model fit a board's flash and
// RAM, how fast will it run, and if not, which compression would make it fit.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tinymlops/runtime/deploy_model.h"

namespace tinymlops {

// The measured kernel-cost tables (deploy/kernel_costs.h), one per emulated
// core: the AVRs (cycles); the Cortex-M0 and RV32IMAC, both without an FPU;
// and the Cortex-M4F, whose figures stand for the other cores, all with an FPU
// (M7, M33, the ESP32's Xtensa, Cortex-A).
enum class CostTable { kAvr, kCortexM0, kCortexM4, kRv32 };

struct Device {
  std::string id;        // "esp32", "arduino-uno", ...
  std::vector<std::string> aliases;  // other accepted ids: "uno", "mega", ...
  std::string name;      // the board and its chip
  std::string arch;      // "xtensa-lx6", "avr", "cortex-m4f", ...
  int64_t flash_bytes = 0, ram_bytes = 0;  // the chip's (or the board's)
  // What a program may take: flash less the bootloader or partition it cannot
  // use, RAM less the regions the usual linker script keeps for other uses.
  // `fit` compares against these.
  int64_t usable_flash_bytes = 0, usable_ram_bytes = 0;
  std::string reserved;  // what is not usable, in words; empty when nothing is
  // The most constant bytes the generated code can read, 0: all the usable
  // flash. An AVR reads flash constants through 16-bit pointers (LPM,
  // pgm_read_*): on the ATmega2560 they must lie in the first 64 KB, after the
  // vector table and the C library's constants (512 B allowed for those).
  int64_t constant_reach_bytes = 0;
  int clock_mhz = 0;
  bool fpu = false;      // single-precision hardware floating point
  // The `verify --target` whose emulated core stands for it ("host" for the
  // Linux boards), or empty: no emulator in Debian runs its core (the ESP32's
  // Xtensa), so its latency is an estimate only.
  std::string verify_target;
  // Flash taken by the kernels and entry points besides the constants.
  int64_t code_bytes = 0;
  // What its core (by arch, one table in devices.cc) runs and costs: the
  // optimized kernels (runtime/kernel_table.h: kArmDsp for the cores with the
  // DSP extension, Cortex-M4, M7 and M33; kAvrMul for the ATmegas; kPortable
  // for the others) and the table of measured kernel costs.
  uint32_t kernel_features = 0;
  CostTable cost_table = CostTable::kCortexM4;
};

// `devices --json`, one board: {"id", "name", "arch", "flash_bytes", "ram_bytes",
// "clock_mhz", "fpu", "verify_target", "usable_flash_bytes", "usable_ram_bytes",
// "reserved", "constant_reach_bytes"}.
nlohmann::ordered_json to_json(const Device& device);

// Every board tinymlops knows, in a fixed order.
const std::vector<Device>& device_catalogue();
// The device of an id or alias. Throws Error(kUsage) listing the ids for an
// unknown one.
const Device& find_device(const std::string& id);

struct FitReport {
  std::string device;
  int64_t flash_needed = 0, flash_available = 0;  // constants + code; the usable flash
  int64_t ram_needed = 0, ram_available = 0;      // arena + stack allowance; the usable RAM
  std::string reserved;                            // Device::reserved: what the available figures leave out
  int64_t constant_bytes = 0;                      // the model's constants
  int64_t constant_reach = 0;                      // Device::constant_reach_bytes; 0: no limit
  double latency_ms = 0;                           // estimated, per inference (deploy/kernel_costs.h)
  bool fits = false;
  // When it does not fit: what would, e.g. "int8: tinymlops quantize ...".
  std::vector<std::string> suggestions;
};

// REQUIRES a valid model. `model_path` only fills in the suggested commands.
FitReport fit_model(const DeployModel& model, const Device& device, const std::string& model_path);

// One line for a model that does not fit: what is over and what would fit.
std::string fit_failure_summary(const FitReport& report);

}  // namespace tinymlops

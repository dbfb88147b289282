#include "tinymlops/deploy/devices.h"

#include <algorithm>
#include <iterator>

#include "tinymlops/codegen/memory_plan.h"
#include "tinymlops/core/error.h"
#include "tinymlops/deploy/kernel_costs.h"
#include "tinymlops/runtime/kernel_table.h"

namespace tinymlops {

namespace {

constexpr int64_t kKiB = 1024, kMiB = 1024 * 1024, kGiB = 1024 * kMiB;
// RAM allowed for the stack of an inference (measured peaks: 72-144 bytes on
// AVR, under 200 on Cortex-M4 for the bundled models) and the labels.
constexpr int64_t kStackAllowance = 512;

// What a core runs and costs, by the start of its arch: the first match
// holds. Every AVR board here is an ATmega, with the hardware multiplier.
// code_bytes: the flash taken by the kernels and entry points besides the
// constants (Device::code_bytes).
struct CoreTraits {
  const char* arch_prefix;
  uint32_t kernel_features;
  CostTable cost_table;
  int64_t code_bytes;
};
constexpr CoreTraits kCores[] = {
    {"avr", kAvrMul, CostTable::kAvr, 6 * kKiB},
    {"cortex-m0", kPortable, CostTable::kCortexM0, 4 * kKiB},  // and the M0+
    {"riscv32", kPortable, CostTable::kRv32, 4 * kKiB},
    {"cortex-m4", kArmDsp, CostTable::kCortexM4, 4 * kKiB},
    {"cortex-m7", kArmDsp, CostTable::kCortexM4, 4 * kKiB},
    {"cortex-m33", kArmDsp, CostTable::kCortexM4, 4 * kKiB},
    {"", kPortable, CostTable::kCortexM4, 4 * kKiB},  // Xtensa, Cortex-A: cores with an FPU
};

const CoreTraits& core_traits(const std::string& arch) {
  for (const CoreTraits& core : kCores) {
    if (arch.starts_with(core.arch_prefix)) return core;
  }
  return kCores[std::size(kCores) - 1];
}

Device device(std::string id, std::string name, std::string arch, int64_t flash, int64_t ram, int clock, bool fpu,
              std::string verify = "") {
  Device d;
  d.id = std::move(id);
  d.name = std::move(name);
  d.arch = std::move(arch);
  d.flash_bytes = d.usable_flash_bytes = flash;
  d.ram_bytes = d.usable_ram_bytes = ram;
  d.clock_mhz = clock;
  d.fpu = fpu;
  d.verify_target = std::move(verify);
  const CoreTraits& core = core_traits(d.arch);
  d.code_bytes = core.code_bytes;
  d.kernel_features = core.kernel_features;
  d.cost_table = core.cost_table;
  // avr-libc's linker script puts the vector table and the C library's own
  // flash constants (under 512 B) before the model's in those 64 KB.
  d.constant_reach_bytes = core.cost_table == CostTable::kAvr && flash > 64 * kKiB ? 64 * kKiB - 512 : 0;
  return d;
}

// `d` with what a program cannot use taken off (docs/codegen.md, "tinymlops
// devices", gives the source of each figure).
Device reserving(Device d, int64_t usable_flash, int64_t usable_ram, std::string reserved) {
  d.usable_flash_bytes = usable_flash;
  d.usable_ram_bytes = usable_ram;
  d.reserved = std::move(reserved);
  return d;
}

Device with_aliases(Device d, std::vector<std::string> aliases) {
  d.aliases = std::move(aliases);
  return d;
}

std::vector<Device> make_catalogue() {
  // Arduino-ESP32's default partition table gives a sketch a 1.25 MB app
  // partition, and its linker scripts leave 320 KB of RAM for data.
  const int64_t esp_app = 1280 * kKiB, esp_data = 320 * kKiB;
  const std::string esp_reserved = "the default partition table's 1.25 MB app partition; 320 KB of RAM for data";
  const std::string pico_reserved = "the SDK's linker script keeps the two 4 KB scratch banks for the cores' stacks";
  return {
      reserving(device("esp32", "ESP32 (dual Xtensa LX6)", "xtensa-lx6", 4 * kMiB, 520 * kKiB, 240, true), esp_app,
                esp_data, esp_reserved),
      reserving(device("esp32-s3", "ESP32-S3 (dual Xtensa LX7)", "xtensa-lx7", 8 * kMiB, 512 * kKiB, 240, true),
                esp_app, esp_data, esp_reserved),
      reserving(device("esp32-c3", "ESP32-C3 (RISC-V RV32IMC)", "riscv32", 4 * kMiB, 400 * kKiB, 160, false, "rv32"),
                esp_app, esp_data, esp_reserved),
      with_aliases(reserving(device("arduino-uno", "Arduino Uno (ATmega328P)", "avr", 32 * kKiB, 2 * kKiB, 16, false,
                                    "avr"),
                             32256, 2 * kKiB, "the Optiboot bootloader's 512 B of flash"),
                   {"uno"}),
      with_aliases(reserving(device("arduino-mega", "Arduino Mega 2560 (ATmega2560)", "avr", 256 * kKiB, 8 * kKiB, 16,
                                    false, "avr-mega"),
                             253952, 8 * kKiB, "the bootloader's 8 KB of flash"),
                   {"mega"}),
      reserving(device("nano-33-ble", "Arduino Nano 33 BLE (nRF52840, Cortex-M4F)", "cortex-m4f", 1 * kMiB,
                       256 * kKiB, 64, true, "cortex-m4"),
                983040, 256 * kKiB, "the bootloader's 64 KB of flash"),
      with_aliases(reserving(device("stm32f4", "STM32F407 (Cortex-M4F)", "cortex-m4f", 1 * kMiB, 192 * kKiB, 168,
                                    true, "cortex-m4"),
                             1 * kMiB, 128 * kKiB,
                             "the 64 KB core-coupled RAM, a region of its own that linker scripts place no data in"),
                   {"stm32f407"}),
      with_aliases(reserving(device("rp2040", "Raspberry Pi Pico (RP2040, dual Cortex-M0+)", "cortex-m0plus",
                                    2 * kMiB, 264 * kKiB, 133, false, "cortex-m0"),
                             2 * kMiB - 256, 256 * kKiB, "the 256 B second-stage boot loader in flash; " + pico_reserved),
                   {"pico"}),
      with_aliases(reserving(device("rp2350", "Raspberry Pi Pico 2 (RP2350, dual Cortex-M33F)", "cortex-m33f",
                                    4 * kMiB, 520 * kKiB, 150, true, "cortex-m33"),
                             4 * kMiB, 512 * kKiB, pico_reserved),
                   {"pico2"}),
      with_aliases(reserving(device("teensy-4.1", "Teensy 4.1 (i.MX RT1062, Cortex-M7F)", "cortex-m7f", 8 * kMiB,
                                    1 * kMiB, 600, true, "cortex-m7"),
                             8126464, 512 * kKiB,
                             "256 KB of flash for EEPROM emulation and the restore program; "
                             "the 512 KB OCRAM, which holds the heap"),
                   {"teensy41"}),
      device("raspberry-pi-4", "Raspberry Pi 4 (Cortex-A72)", "cortex-a72", 16 * kGiB, 4 * kGiB, 1500, true, "host"),
      device("jetson-nano", "Jetson Nano (Cortex-A57)", "cortex-a57", 16 * kGiB, 4 * kGiB, 1430, true, "host"),
      device("qemu-microbit", "QEMU microbit (nRF51822, Cortex-M0, emulated)", "cortex-m0", 256 * kKiB, 16 * kKiB,
             16, false, "cortex-m0"),
      device("qemu-mps2-an386", "QEMU mps2-an386 (Cortex-M4F, emulated)", "cortex-m4f", 4 * kMiB, 4 * kMiB, 25, true,
             "cortex-m4"),
      device("qemu-mps2-an500", "QEMU mps2-an500 (Cortex-M7F, emulated)", "cortex-m7f", 4 * kMiB, 4 * kMiB, 25, true,
             "cortex-m7"),
      device("qemu-mps2-an505", "QEMU mps2-an505 (Cortex-M33F, emulated)", "cortex-m33f", 4 * kMiB, 4 * kMiB, 20,
             true, "cortex-m33"),
      device("qemu-virt-rv32", "QEMU virt (RV32IMAC, emulated)", "riscv32", 4 * kMiB, 4 * kMiB, 160, false, "rv32"),
      device("simavr-atmega328p", "simavr ATmega328P (emulated)", "avr", 32 * kKiB, 2 * kKiB, 16, false, "avr"),
      device("simavr-atmega2560", "simavr ATmega2560 (emulated)", "avr", 256 * kKiB, 8 * kKiB, 16, false,
             "avr-mega"),
  };
}

// True when `constant_bytes` of model constants lie where `device`'s code reads them.
bool within_reach(const Device& device, int64_t constant_bytes) {
  return device.constant_reach_bytes == 0 || constant_bytes <= device.constant_reach_bytes;
}

bool integer_model(const DeployModel& model) {
  return !model.ops.empty() && model.ops[0].kind == OpKind::kQuantize;
}

int64_t constant_values(const DeployModel& model) {
  int64_t values = 0;
  for (const DeployTensor& t : model.tensors) values += t.is_constant() ? t.size() : 0;
  return values;
}

}  // namespace

const std::vector<Device>& device_catalogue() {
  static const std::vector<Device> catalogue = make_catalogue();
  return catalogue;
}

const Device& find_device(const std::string& id) {
  std::string ids;
  for (const Device& d : device_catalogue()) {
    if (d.id == id || std::find(d.aliases.begin(), d.aliases.end(), id) != d.aliases.end()) return d;
    ids += (ids.empty() ? "" : ", ") + d.id;
  }
  throw Error(ErrorKind::kUsage, "--device", "unknown device '" + id + "' (" + ids + ")");
}

FitReport fit_model(const DeployModel& model, const Device& device, const std::string& model_path) {
  FitReport report;
  report.device = device.id;
  const int64_t arena = plan_memory(model).arena_bytes;
  report.flash_needed = model.constant_bytes() + device.code_bytes;
  report.flash_available = device.usable_flash_bytes;
  report.ram_needed = arena + kStackAllowance;
  report.ram_available = device.usable_ram_bytes;
  report.reserved = device.reserved;
  report.constant_bytes = model.constant_bytes();
  report.constant_reach = device.constant_reach_bytes;
  const bool reach_ok = within_reach(device, report.constant_bytes);
  const bool int8 = integer_model(model);
  report.latency_ms = estimate_cycles(model, device) / (device.clock_mhz * 1000.0);
  const bool flash_ok = report.flash_needed <= report.flash_available;
  const bool ram_ok = report.ram_needed <= report.ram_available;
  report.fits = flash_ok && ram_ok && reach_ok;
  if (report.fits) return report;

  // What each compression would take: about one byte per value in int8, half
  // in int4, a quarter with half the weights pruned as well; activations shrink
  // to a quarter when they become int8.
  const int64_t values = constant_values(model);
  const int64_t int8_arena = int8 ? arena : arena / 4 + model.input_size() * 4;
  struct Option {
    const char* what;
    int64_t flash, ram;
    std::string command;
  };
  const auto quantize_cmd = [](const std::string& from) { return "tinymlops quantize " + from + " --data DATA --out MODEL.tdm"; };
  const std::string quantize = quantize_cmd(model_path);
  const std::vector<Option> options = {
      {"int8", values + device.code_bytes, int8_arena + kStackAllowance, quantize},
      {"int4 weights", values / 2 + device.code_bytes, int8_arena + kStackAllowance, quantize + " --bits 4"},
      {"50% pruned + int4", values / 4 + device.code_bytes, int8_arena + kStackAllowance,
       "tinymlops prune " + model_path + " --data DATA --sparsity 0.5 --out PRUNED.tmlm, then " +
           quantize_cmd("PRUNED.tmlm") + " --bits 4"},
  };
  for (const Option& o : options) {
    if (int8 && std::string(o.what) == "int8") continue;  // already is
    const bool fits = o.flash <= device.usable_flash_bytes && o.ram <= device.usable_ram_bytes;
    if (fits && within_reach(device, o.flash - device.code_bytes)) {
      report.suggestions.push_back(std::string(o.what) + " (about " + std::to_string(o.flash) + " B flash, " +
                                   std::to_string(o.ram) + " B RAM): " + o.command);
    }
  }
  if (report.suggestions.empty()) {
    report.suggestions.push_back(ram_ok ? "a smaller model: fewer or narrower layers (no compression here is enough)"
                                        : "a smaller model: narrower layers need less activation RAM");
  }
  return report;
}

std::string fit_failure_summary(const FitReport& r) {
  std::string text = "does not fit " + r.device + ":";
  std::string over;
  if (r.flash_needed > r.flash_available) {
    over = " flash " + std::to_string(r.flash_needed) + " of " + std::to_string(r.flash_available) + " B usable";
  }
  if (r.ram_needed > r.ram_available) {
    over += std::string(over.empty() ? "" : ",") + " RAM " + std::to_string(r.ram_needed) + " of " +
            std::to_string(r.ram_available) + " B usable";
  }
  if (r.constant_reach > 0 && r.constant_bytes > r.constant_reach) {
    over += std::string(over.empty() ? "" : ",") + " constants " + std::to_string(r.constant_bytes) +
            " B, more than the " + std::to_string(r.constant_reach) + " B its code can read";
  }
  text += over;
  if (!r.suggestions.empty()) text += "; would fit: " + r.suggestions[0];
  return text;
}


nlohmann::ordered_json to_json(const Device& d) {
  return {{"id", d.id},
          {"name", d.name},
          {"arch", d.arch},
          {"flash_bytes", d.flash_bytes},
          {"ram_bytes", d.ram_bytes},
          {"clock_mhz", d.clock_mhz},
          {"fpu", d.fpu},
          {"verify_target", d.verify_target},
          {"usable_flash_bytes", d.usable_flash_bytes},
          {"usable_ram_bytes", d.usable_ram_bytes},
          {"reserved", d.reserved},
          {"constant_reach_bytes", d.constant_reach_bytes}};
}

}  // namespace tinymlops

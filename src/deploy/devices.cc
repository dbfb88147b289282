#include "tinymlops/deploy/devices.h"

#include <algorithm>

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

Device device(std::string id, std::string name, std::string arch, int64_t flash, int64_t ram, int clock, bool fpu,
              std::string verify = "") {
  Device d;
  d.id = std::move(id);
  d.name = std::move(name);
  d.arch = std::move(arch);
  d.flash_bytes = flash;
  d.ram_bytes = ram;
  d.clock_mhz = clock;
  d.fpu = fpu;
  d.verify_target = std::move(verify);
  const bool avr = d.arch == "avr";
  d.code_bytes = avr ? 6 * kKiB : 4 * kKiB;
  const bool armv7e_m = d.arch.starts_with("cortex-m4") || d.arch.starts_with("cortex-m7") ||
                        d.arch.starts_with("cortex-m33");
  d.kernel_features = armv7e_m ? kArmDsp : avr ? kAvrMul : kPortable;  // every AVR board here is an ATmega
  return d;
}

std::vector<Device> make_catalogue() {
  std::vector<Device> devices = {
      device("esp32", "ESP32 (dual Xtensa LX6)", "xtensa-lx6", 4 * kMiB, 520 * kKiB, 240, true),
      device("esp32-s3", "ESP32-S3 (dual Xtensa LX7)", "xtensa-lx7", 8 * kMiB, 512 * kKiB, 240, true),
      device("esp32-c3", "ESP32-C3 (RISC-V RV32IMC)", "riscv32", 4 * kMiB, 400 * kKiB, 160, false),
      device("arduino-uno", "Arduino Uno (ATmega328P)", "avr", 32 * kKiB, 2 * kKiB, 16, false, "avr"),
      device("arduino-mega", "Arduino Mega 2560 (ATmega2560)", "avr", 256 * kKiB, 8 * kKiB, 16, false),
      device("nano-33-ble", "Arduino Nano 33 BLE (nRF52840, Cortex-M4F)", "cortex-m4f", 1 * kMiB, 256 * kKiB, 64,
             true, "cortex-m4"),
      device("stm32f4", "STM32F407 (Cortex-M4F)", "cortex-m4f", 1 * kMiB, 192 * kKiB, 168, true, "cortex-m4"),
      device("rp2040", "Raspberry Pi Pico (RP2040, dual Cortex-M0+)", "cortex-m0plus", 2 * kMiB, 264 * kKiB, 133,
             false),
      device("raspberry-pi-4", "Raspberry Pi 4 (Cortex-A72)", "cortex-a72", 16 * kGiB, 4 * kGiB, 1500, true, "host"),
      device("jetson-nano", "Jetson Nano (Cortex-A57)", "cortex-a57", 16 * kGiB, 4 * kGiB, 1430, true, "host"),
      device("qemu-mps2-an386", "QEMU mps2-an386 (Cortex-M4F, emulated)", "cortex-m4f", 4 * kMiB, 4 * kMiB, 25, true,
             "cortex-m4"),
      device("simavr-atmega328p", "simavr ATmega328P (emulated)", "avr", 32 * kKiB, 2 * kKiB, 16, false, "avr"),
  };
  devices[3].aliases = {"uno"};
  devices[4].aliases = {"mega"};
  devices[6].aliases = {"stm32f407"};
  devices[7].aliases = {"pico"};
  return devices;
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
  report.flash_available = device.flash_bytes;
  report.ram_needed = arena + kStackAllowance;
  report.ram_available = device.ram_bytes;
  const bool int8 = integer_model(model);
  report.latency_ms = estimate_cycles(model, device) / (device.clock_mhz * 1000.0);
  const bool flash_ok = report.flash_needed <= report.flash_available;
  const bool ram_ok = report.ram_needed <= report.ram_available;
  report.fits = flash_ok && ram_ok;
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
    if (o.flash <= device.flash_bytes && o.ram <= device.ram_bytes) {
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
    over = " flash " + std::to_string(r.flash_needed) + " of " + std::to_string(r.flash_available) + " B";
  }
  if (r.ram_needed > r.ram_available) {
    over += std::string(over.empty() ? "" : ",") + " RAM " + std::to_string(r.ram_needed) + " of " +
            std::to_string(r.ram_available) + " B";
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
          {"verify_target", d.verify_target}};
}

}  // namespace tinymlops

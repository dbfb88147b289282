#include "tinymlops/deploy/devices.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "runtime/model_fixtures.h"
#include "tinymlops/codegen/memory_plan.h"
#include "tinymlops/core/error.h"
#include "tinymlops/deploy/kernel_costs.h"
#include "tinymlops/deploy/verify.h"
#include "tinymlops/runtime/kernel_table.h"
#include "tinymlops/runtime/lower.h"

namespace tinymlops {
namespace {

DeployModel float_mlp(const std::string& layers) {
  Model model = testing::random_model(Shape{{64}}, layers, 3);
  return lower_model(model);
}

TEST(Devices, CatalogueHasTheBoardsOfTheIssueWithSaneFigures) {
  std::set<std::string> ids;
  for (const Device& d : device_catalogue()) {
    EXPECT_TRUE(ids.insert(d.id).second) << "duplicate " << d.id;
    EXPECT_GT(d.flash_bytes, 0) << d.id;
    EXPECT_GT(d.ram_bytes, 0) << d.id;
    EXPECT_GT(d.clock_mhz, 0) << d.id;
    EXPECT_FALSE(d.arch.empty()) << d.id;
    EXPECT_GT(d.usable_flash_bytes, 0) << d.id;
    EXPECT_LE(d.usable_flash_bytes, d.flash_bytes) << d.id;
    EXPECT_GT(d.usable_ram_bytes, 0) << d.id;
    EXPECT_LE(d.usable_ram_bytes, d.ram_bytes) << d.id;
    // What is taken off is said, and only then.
    const bool reserved = d.usable_flash_bytes < d.flash_bytes || d.usable_ram_bytes < d.ram_bytes;
    EXPECT_EQ(reserved, !d.reserved.empty()) << d.id;
    if (!d.verify_target.empty()) EXPECT_NO_THROW(parse_verify_target(d.verify_target)) << d.id;
  }
  for (const char* id : {"esp32", "esp32-s3", "esp32-c3", "arduino-uno", "arduino-mega", "nano-33-ble", "stm32f4",
                         "rp2040", "rp2350", "teensy-4.1", "raspberry-pi-4", "jetson-nano", "qemu-microbit",
                         "qemu-mps2-an386", "qemu-mps2-an500", "qemu-mps2-an505", "qemu-virt-rv32",
                         "simavr-atmega328p", "simavr-atmega2560"}) {
    EXPECT_TRUE(ids.count(id)) << id;
  }
  const Device& uno = find_device("arduino-uno");
  EXPECT_EQ(uno.flash_bytes, 32 * 1024);
  EXPECT_EQ(uno.ram_bytes, 2 * 1024);
  EXPECT_FALSE(uno.fpu);
  EXPECT_EQ(uno.verify_target, "avr");
  EXPECT_TRUE(find_device("stm32f4").fpu);
}

// Every board whose core an emulator in Debian runs names the target that
// verifies it; the Xtensa ESP32s have none and stay estimates.
TEST(Devices, EachBoardNamesTheTargetThatVerifiesItsCore) {
  const std::pair<const char*, const char*> boards[] = {
      {"esp32", ""},           {"esp32-s3", ""},         {"esp32-c3", "rv32"},          {"arduino-uno", "avr"},
      {"arduino-mega", "avr-mega"}, {"nano-33-ble", "cortex-m4"}, {"stm32f4", "cortex-m4"}, {"rp2040", "cortex-m0"},
      {"rp2350", "cortex-m33"}, {"teensy-4.1", "cortex-m7"}};
  for (const auto& [id, target] : boards) EXPECT_EQ(find_device(id).verify_target, target) << id;
  EXPECT_EQ(find_device("rp2350").kernel_features, kArmDsp);
  EXPECT_EQ(find_device("teensy-4.1").kernel_features, kArmDsp);
  EXPECT_EQ(find_device("rp2040").kernel_features, kPortable);
  EXPECT_EQ(find_device("esp32-c3").kernel_features, kPortable);
}

// The usable flash and RAM of the Arduino boards are what the Arduino AVR
// core's boards.txt (Debian's arduino-core-avr) lets a sketch have.
TEST(Devices, UsableMemoryOfTheArduinoBoardsIsTheArduinoCoresOwn) {
  const std::filesystem::path boards_txt = "/usr/share/arduino/hardware/arduino/avr/boards.txt";
  std::ifstream in(boards_txt);
  ASSERT_TRUE(in) << boards_txt << " is missing: scripts/setup --test installs arduino-core-avr";
  std::map<std::string, int64_t> values;
  std::string line;
  while (std::getline(in, line)) {
    const size_t eq = line.find('=');
    if (eq == std::string::npos || line.find("maximum_") == std::string::npos) continue;
    values[line.substr(0, eq)] = std::stoll(line.substr(eq + 1));
  }
  EXPECT_EQ(find_device("arduino-uno").usable_flash_bytes, values.at("uno.upload.maximum_size"));
  EXPECT_EQ(find_device("arduino-uno").usable_ram_bytes, values.at("uno.upload.maximum_data_size"));
  EXPECT_EQ(find_device("arduino-mega").usable_flash_bytes, values.at("mega.menu.cpu.atmega2560.upload.maximum_size"));
  EXPECT_EQ(find_device("arduino-mega").usable_ram_bytes, values.at("mega.upload.maximum_data_size"));
}

TEST(Devices, UnknownIdIsAUsageErrorListingTheIds) {
  try {
    find_device("esp33");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
    EXPECT_NE(std::string(e.what()).find("esp32-c3"), std::string::npos);
  }
}

TEST(Fit, SmallModelFitsWithSizesFromItsConstantsAndArena) {
  const DeployModel model = float_mlp("dense:8,relu,dense:3,softmax");
  const Device& esp = find_device("esp32");
  const FitReport r = fit_model(model, esp, "m.tmlm");
  EXPECT_TRUE(r.fits);
  EXPECT_EQ(r.flash_needed, model.constant_bytes() + esp.code_bytes);
  EXPECT_EQ(r.ram_needed, plan_memory(model).arena_bytes + 512);
  EXPECT_NEAR(r.latency_ms, estimate_cycles(model, esp) / (240 * 1000.0), 1e-12);
  EXPECT_GT(r.latency_ms, 0);
  EXPECT_TRUE(r.suggestions.empty());
}

TEST(Fit, TooBigForAnUnoSuggestsCompressionThatFits) {
  // 64*400 + 400*8 weights: ~115 KB of float32, ~29 KB as int8, ~15 KB as int4.
  const DeployModel model = float_mlp("dense:400,relu,dense:8,softmax");
  const FitReport r = fit_model(model, find_device("arduino-uno"), "big.tmlm");
  EXPECT_FALSE(r.fits);
  EXPECT_GT(r.flash_needed, r.flash_available);
  ASSERT_FALSE(r.suggestions.empty());
  // int8 alone (~29 KB + 6 KB of code) does not fit 32 KB; int4 does.
  EXPECT_EQ(r.suggestions[0].rfind("int4", 0), 0u) << r.suggestions[0];
  EXPECT_NE(r.suggestions[0].find("tinymlops quantize big.tmlm"), std::string::npos);
  EXPECT_NE(r.suggestions[0].find("--bits 4"), std::string::npos);
}

// The float digits MLP (6,570 float constants: 26,280 B, and 6 KB of code)
// would fill 99% of the ATmega328P's 32 KB, but the bootloader leaves a sketch
// 32,256 B: it does not fit, and the int8 model would.
TEST(Fit, FloatDigitsMlpDoesNotFitAnUnoForTheBootloaderAndInt8Would) {
  const DeployModel model = float_mlp("dense:64,relu,dense:32,relu,dense:10,softmax");
  const FitReport r = fit_model(model, find_device("uno"), "digits.tmlm");
  EXPECT_EQ(r.flash_needed, 26280 + 6 * 1024);
  EXPECT_EQ(r.flash_available, 32256);
  EXPECT_FALSE(r.fits);
  EXPECT_NE(r.reserved.find("bootloader"), std::string::npos);
  ASSERT_FALSE(r.suggestions.empty());
  EXPECT_EQ(r.suggestions[0].rfind("int8", 0), 0u) << r.suggestions[0];
  EXPECT_NE(fit_failure_summary(r).find("32424 of 32256 B usable"), std::string::npos) << fit_failure_summary(r);
  EXPECT_TRUE(fit_model(model, find_device("simavr-atmega328p"), "digits.tmlm").fits);  // no bootloader there
}

TEST(Fit, ActivationsTooBigForTheRamSayWhy) {
  // 1500 float activations (6 KB) cannot live in 2 KB of RAM even as int8 arena.
  const DeployModel model = float_mlp("dense:1500,relu,dense:2,softmax");
  const FitReport r = fit_model(model, find_device("arduino-uno"), "wide.tmlm");
  EXPECT_FALSE(r.fits);
  EXPECT_GT(r.ram_needed, r.ram_available);
  ASSERT_EQ(r.suggestions.size(), 1u);
  EXPECT_NE(r.suggestions[0].find("smaller model"), std::string::npos);
}

TEST(Devices, JsonNamesEveryFieldOfTheListing) {
  const Device& uno = find_device("arduino-uno");
  EXPECT_EQ(to_json(uno).dump(),
            "{\"id\":\"arduino-uno\",\"name\":\"" + uno.name + "\",\"arch\":\"avr\",\"flash_bytes\":" +
                std::to_string(uno.flash_bytes) + ",\"ram_bytes\":" + std::to_string(uno.ram_bytes) +
                ",\"clock_mhz\":" + std::to_string(uno.clock_mhz) + ",\"fpu\":false,\"verify_target\":\"" +
                uno.verify_target + "\",\"usable_flash_bytes\":32256,\"usable_ram_bytes\":2048,\"reserved\":\"" +
                uno.reserved + "\",\"constant_reach_bytes\":0}");
}

}  // namespace
}  // namespace tinymlops

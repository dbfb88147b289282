#include "tinymlops/deploy/devices.h"

#include <gtest/gtest.h>

#include <set>

#include "runtime/model_fixtures.h"
#include "tinymlops/codegen/memory_plan.h"
#include "tinymlops/core/error.h"
#include "tinymlops/deploy/kernel_costs.h"
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
  }
  for (const char* id : {"esp32", "esp32-s3", "esp32-c3", "arduino-uno", "arduino-mega", "nano-33-ble", "stm32f4",
                         "rp2040", "raspberry-pi-4", "jetson-nano", "qemu-mps2-an386", "simavr-atmega328p"}) {
    EXPECT_TRUE(ids.count(id)) << id;
  }
  const Device& uno = find_device("arduino-uno");
  EXPECT_EQ(uno.flash_bytes, 32 * 1024);
  EXPECT_EQ(uno.ram_bytes, 2 * 1024);
  EXPECT_FALSE(uno.fpu);
  EXPECT_EQ(uno.verify_target, "avr");
  EXPECT_TRUE(find_device("stm32f4").fpu);
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
                uno.verify_target + "\"}");
}

}  // namespace
}  // namespace tinymlops

// The flash an int8 model costs beyond its weights: for the quickstart digits
// MLP (64-64-32-10, standard normalization) built with -Os for a Cortex-M4,
// `verify` measures flash_bytes - weight_bytes (code, requantization and
// quantization parameters, normalization, labels). Issue 4 asks for at most
// 2 KiB; this test holds the code generator to it. docs/codegen.md ("Flash beyond the weights") has the breakdown.
#include <gtest/gtest.h>

#include "deploy/digits_model.h"
#include "tinymlops/deploy/verify.h"

namespace tinymlops {
namespace {

// Measured 2,008 B (2026-11-30; 2,244 B before, 2,816 B the day before): code
// 1,280 (kernels and entry points, linked with -flto), requantization 424 (one
// packed int32 per output channel), normalization 256 (binary16 offsets and
// scales), zero points and clamps 48. The target is 2,048 B
// (docs/codegen.md).
constexpr int64_t kFlashBeyondWeightsBudget = 2048;

TEST(FlashBudget, Int8DigitsMlpOnCortexM4AtOsStaysWithinBudget) {
  const DeployModel& int8 = testing::int8_digits_mlp();
  VerifyOptions verify;
  verify.target = VerifyTarget::kCortexM4;
  verify.optimization = "s";
  const VerifyReport r = verify_model(int8, spread_rows(testing::digits_data().features, 8), verify, nullptr);
  EXPECT_TRUE(r.passed);
  EXPECT_EQ(r.integer_mismatched_rows, 0);
  EXPECT_EQ(r.weight_bytes, 64 * 64 + 64 * 32 + 32 * 10 + 4 * (64 + 32 + 10));  // int8 weights, int32 biases
  const int64_t beyond = r.flash_bytes - r.weight_bytes;
  RecordProperty("flash_beyond_weights", std::to_string(beyond));
  EXPECT_LE(beyond, kFlashBeyondWeightsBudget) << "flash " << r.flash_bytes << ", weights " << r.weight_bytes
                                               << ", code " << r.code_bytes;
  EXPECT_GT(beyond, r.code_bytes);  // the parameters besides the weights are counted too
}

}  // namespace
}  // namespace tinymlops

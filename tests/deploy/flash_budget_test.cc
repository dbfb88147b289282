// The flash an int8 model costs beyond its weights: for the quickstart digits
// MLP (64-64-32-10, standard normalization) built with -Os for a Cortex-M4,
// `verify` measures flash_bytes - weight_bytes (code, requantization and
// quantization parameters, normalization, labels). Issue 4 asks for at most
// 2 KiB; this test holds the code generator to it. docs/codegen.md ("Flash beyond the weights") has the breakdown.
#include <gtest/gtest.h>

#include "test_util.h"
#include "tinymlops/compress/ptq.h"
#include "tinymlops/deploy/verify.h"
#include "tinymlops/tinymlops.h"

namespace tinymlops {
namespace {

// Measured 2,008 B (2026-11-30; 2,244 B before, 2,816 B the day before): code
// 1,280 (kernels and entry points, linked with -flto), requantization 424 (one
// packed int32 per output channel), normalization 256 (binary16 offsets and
// scales), zero points and clamps 48. The target is 2,048 B
// (docs/codegen.md).
constexpr int64_t kFlashBeyondWeightsBudget = 2048;

TEST(FlashBudget, Int8DigitsMlpOnCortexM4AtOsStaysWithinBudget) {
  Dataset data = load_dataset(testing::source_dir() / "examples/data/digits.csv", {.label = "digit"});
  Model model(Shape{{64}});
  add_layers(model, parse_layer_specs("dense:64:relu,dense:32:relu,dense:10,softmax"));
  model.build(Initializer::kGlorotUniform, 1);
  model.metadata.normalization = fit_normalization(NormalizationKind::kStandard, data.features);
  model.metadata.feature_names = data.feature_names;
  model.metadata.class_names = data.class_names;
  TrainOptions options;
  options.epochs = 2;  // the flash does not depend on how well it learned
  train_model(model, data, nullptr, options, nullptr);
  const DeployModel int8 = quantize_int8(lower_model(model), data.features.topRows(300), PtqOptions{});

  VerifyOptions verify;
  verify.target = VerifyTarget::kCortexM4;
  verify.optimization = "s";
  const VerifyReport r = verify_model(int8, spread_rows(data.features, 8), verify, nullptr);
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

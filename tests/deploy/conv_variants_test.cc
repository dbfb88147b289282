// Compressed convolution weights on devices: the generated C code of a small
// CNN in each weight form (int4, codebook, sparse8 with int8 activations;
// float16 and weight-only int8 with float activations) is built and run on the
// host, a Cortex-M4 under QEMU and an ATmega328P under simavr, and must give
// the reference engine's outputs -- the integer ones bit for bit.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "compress/cnn_fixtures.h"
#include "tinymlops/codegen/memory_plan.h"
#include "tinymlops/deploy/verify.h"

namespace tinymlops {
namespace {

struct Case {
  std::string variant;
  VerifyTarget target;
  std::string layers;  // testing::kCnnLayers, or kSmallCnnLayers for float models on AVR
};

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string name = info.param.variant + "_" + verify_target_name(info.param.target);
  for (char& c : name) c = c == '-' ? '_' : c;
  return name;
}

bool is_float_variant(const std::string& variant) { return variant == "fp16" || variant == "dynamic"; }

class ConvVariantsOnDevice : public ::testing::TestWithParam<Case> {};

TEST_P(ConvVariantsOnDevice, MatchesTheReferenceEngine) {
  const Case& c = GetParam();
  const DeployModel float_model = testing::float_cnn(5, c.layers);
  const DeployModel model = testing::compressed_cnn(float_model, c.variant, testing::random_inputs(64, 64, 6));
  // The conv2d op (after the Quantize op of an integer model) has the variant's weights.
  const std::map<std::string, DType> conv_dtype = {{"int4", DType::kInt4},
                                                   {"codebook", DType::kIndex4},
                                                   {"sparse", DType::kSparse8},
                                                   {"fp16", DType::kFloat16},
                                                   {"dynamic", DType::kInt8}};
  const DeployOp& conv = model.ops[is_float_variant(c.variant) ? 0 : 1];
  ASSERT_EQ(conv.kind, OpKind::kConv2D);
  EXPECT_EQ(model.tensors[static_cast<size_t>(conv.inputs[1])].dtype, conv_dtype.at(c.variant));
  if (c.target == VerifyTarget::kAvr) {
    // Room on an ATmega328P: the arena well inside 2 KB of RAM (the rows and
    // constants go to its 32 KB of flash).
    ASSERT_LT(plan_memory(model).arena_bytes, 1024);
  }
  VerifyOptions options;
  options.target = c.target;
  const Matrix rows = testing::random_inputs(c.target == VerifyTarget::kAvr ? 8 : 24, 64, 8);
  const VerifyReport report = verify_model(model, rows, options, nullptr);
  EXPECT_EQ(report.rows, rows.rows());
  EXPECT_EQ(report.integer_bits, is_float_variant(c.variant) ? 0 : 8);
  EXPECT_EQ(report.integer_mismatched_rows, 0);
  EXPECT_EQ(report.float_mismatched_rows, 0) << "max difference " << report.max_abs_difference;
  EXPECT_TRUE(report.passed);
}

// Integer variants run the CNN everywhere; the float ones need 2176 bytes of
// float activations, so on AVR they run the smaller CNN.
std::vector<Case> cases() {
  std::vector<Case> all;
  for (const char* variant : {"int4", "codebook", "sparse", "fp16", "dynamic"}) {
    for (VerifyTarget target : {VerifyTarget::kHost, VerifyTarget::kCortexM4, VerifyTarget::kAvr}) {
      const bool small = target == VerifyTarget::kAvr && is_float_variant(variant);
      all.push_back({variant, target, small ? testing::kSmallCnnLayers : testing::kCnnLayers});
    }
  }
  return all;
}

INSTANTIATE_TEST_SUITE_P(Cnn, ConvVariantsOnDevice, ::testing::ValuesIn(cases()), case_name);

}  // namespace
}  // namespace tinymlops

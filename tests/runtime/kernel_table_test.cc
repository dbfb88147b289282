#include "tinymlops/runtime/kernel_table.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "tinymlops/core/error.h"
#include "tinymlops/runtime/lower.h"
#include "model_fixtures.h"

namespace tinymlops {
namespace {

TEST(KernelTable, EveryEntryFitsItsPrototypeAndNoTwoEntriesMatchTheSameOp) {
  EXPECT_NO_THROW(check_kernel_table());
}

TEST(KernelTable, EveryEntryNamesKernelFilesThatExist) {
  const std::filesystem::path kernels = std::filesystem::path(TINYMLOPS_SOURCE_DIR) / "kernels";
  std::set<std::string> functions;
  for (const KernelEntry& entry : kernel_table()) {
    EXPECT_TRUE(std::filesystem::exists(kernels / entry.header)) << entry.function << ": " << entry.header;
    EXPECT_TRUE(std::filesystem::exists(kernels / entry.source)) << entry.function << ": " << entry.source;
    EXPECT_TRUE(functions.insert(entry.function).second) << entry.function << " is in the table twice";
  }
}

TEST(KernelTable, SelectsByOpAndDtypes) {
  Model trained = testing::random_model(Shape{{8}}, "dense:4:relu,dense:3:softmax", 1);
  const DeployModel model = lower_model(trained);
  ASSERT_EQ(model.ops.back().kind, OpKind::kSoftmax);
  EXPECT_STREQ(select_kernel(model, model.ops[0]).function, "tml_fully_connected_f32");
  EXPECT_STREQ(select_kernel(model, model.ops.back()).function, "tml_softmax_f32");

  DeployModel float16 = model;
  float16.tensors[static_cast<size_t>(float16.ops[0].inputs[1])].dtype = DType::kFloat16;
  EXPECT_STREQ(select_kernel(float16, float16.ops[0]).function, "tml_fully_connected_f16w");
}

TEST(KernelTable, TargetFeaturesChooseTheOptimizedKernelAndTheReferenceOtherwise) {
  Model trained = testing::random_model(Shape{{8}}, "dense:4:relu,dense:3", 3);
  DeployModel model = lower_model(trained);
  for (DeployTensor& tensor : model.tensors) {
    if (tensor.dtype == DType::kFloat32) tensor.dtype = DType::kInt8;
  }
  const DeployOp& dense = model.ops[0];
  ASSERT_EQ(dense.kind, OpKind::kFullyConnected);
  EXPECT_STREQ(select_kernel(model, dense).function, "tml_fully_connected_s8");
  EXPECT_STREQ(select_kernel(model, dense, kArmDsp).function, "tml_fully_connected_s8_dsp");
  EXPECT_STREQ(select_kernel(model, dense, kArmDsp).source, "tml_fully_connected_dsp.c");
  EXPECT_STREQ(select_kernel(model, dense, kAvrMul).function, "tml_fully_connected_s8_avr");
  EXPECT_EQ(kernel_features_name(kAvrMul), "avr-mul");
  EXPECT_EQ(kernel_features_name(kArmDsp | kAvrMul), "arm-dsp+avr-mul");

  // int4 weights have no DSP kernel: the reference runs on a DSP target too.
  model.tensors[static_cast<size_t>(dense.inputs[1])].dtype = DType::kInt4;
  EXPECT_STREQ(select_kernel(model, dense, kArmDsp).function, "tml_fully_connected_s4");
}

TEST(KernelTable, AnOpWithoutAKernelIsRefusedWithItsDtypes) {
  Model trained = testing::random_model(Shape{{8}}, "dense:4", 2);
  DeployModel model = lower_model(trained);
  model.tensors[static_cast<size_t>(model.ops[0].inputs[1])].dtype = DType::kInt32;
  try {
    select_kernel(model, model.ops[0]);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalid);
    EXPECT_NE(std::string(e.what()).find("no kernel for fully_connected with float32 input, int32 weights and "
                                         "float32 output"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace tinymlops

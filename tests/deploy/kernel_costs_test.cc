#include "tinymlops/deploy/kernel_costs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <tuple>

#include "codegen/deploy_models.h"
#include "tinymlops/deploy/verify.h"
#include "tinymlops/runtime/kernel_table.h"

namespace tinymlops {
namespace {

using testing::Variant;

TEST(KernelCosts, EveryKernelABoardCanRunHasAMeasuredCost) {
  EXPECT_NO_THROW(check_kernel_costs());
  EXPECT_TRUE(measured_kernel_cost(CostTable::kAvr, "tml_fully_connected_s8_avr"));
  EXPECT_TRUE(measured_kernel_cost(CostTable::kCortexM4, "tml_fully_connected_s8_dsp"));
  EXPECT_TRUE(measured_kernel_cost(CostTable::kCortexM4, "tml_fully_connected_s8"));  // cores without DSP
  EXPECT_TRUE(measured_kernel_cost(CostTable::kCortexM0, "tml_fully_connected_s8"));
  EXPECT_TRUE(measured_kernel_cost(CostTable::kRv32, "tml_softmax_f32"));
  EXPECT_FALSE(measured_kernel_cost(CostTable::kCortexM0, "tml_fully_connected_s8_dsp"));
  // Never selected there: not measured.
  EXPECT_FALSE(measured_kernel_cost(CostTable::kAvr, "tml_fully_connected_s8_dsp"));
  EXPECT_FALSE(measured_kernel_cost(CostTable::kAvr, "no_such_kernel"));
}

// The estimate against what verify counts on the emulated boards, for the
// test models (other shapes than those bench/kernel_costs fitted on): within
// 35% (cycles on avr, instructions on the others).
TEST(KernelCosts, EstimatesComeCloseToWhatVerifyMeasures) {
  const std::tuple<Variant, VerifyTarget, const char*> cases[] = {
      {Variant::kInt8Mlp, VerifyTarget::kAvr, "simavr-atmega328p"},
      {Variant::kInt8Mlp, VerifyTarget::kCortexM4, "qemu-mps2-an386"},
      {Variant::kInt8Cnn, VerifyTarget::kAvr, "simavr-atmega328p"},
      {Variant::kInt8Cnn, VerifyTarget::kCortexM4, "qemu-mps2-an386"},
      {Variant::kFloatCnn, VerifyTarget::kCortexM4, "qemu-mps2-an386"},
      {Variant::kInt8Mlp, VerifyTarget::kCortexM0, "qemu-microbit"},
      {Variant::kFloatMlp, VerifyTarget::kRv32, "qemu-virt-rv32"},
  };
  for (const auto& [variant, target, board] : cases) {
    const testing::TestDeployModel& test = testing::test_deploy_model(variant);
    VerifyOptions options;
    options.target = target;
    const VerifyReport measured = verify_model(test.model, spread_rows(test.rows, 4), options, nullptr);
    const double estimate = estimate_cycles(test.model, find_device(board));
    const double measured_count = static_cast<double>(measured.counter_per_inference);
    EXPECT_NEAR(estimate / measured_count, 1.0, 0.35)
        << testing::variant_label(variant) << " on " << measured.target << ": estimate " << estimate << ", measured "
        << measured_count;
  }
}

// The kernels a board's features select are costed on its core's table: a
// Cortex-M4 runs the int8 MLP on its DSP kernels, an ESP32 (same figures, no
// DSP extension) on the reference ones; the RP2040's Cortex-M0+ and the
// ESP32-C3's RISC-V core, without an FPU, take their float kernels' measured
// software floating point.
TEST(KernelCosts, FollowTheBoardsKernelsAndCore) {
  const DeployModel& int8 = testing::test_deploy_model(Variant::kInt8Mlp).model;
  const Device& m4 = find_device("stm32f4");
  Device same_without_dsp = m4;
  same_without_dsp.kernel_features = kPortable;
  EXPECT_LT(estimate_cycles(int8, m4), estimate_cycles(int8, same_without_dsp));

  EXPECT_EQ(find_device("rp2040").cost_table, CostTable::kCortexM0);
  EXPECT_EQ(find_device("esp32-c3").cost_table, CostTable::kRv32);
  EXPECT_EQ(find_device("uno").cost_table, CostTable::kAvr);
  EXPECT_EQ(find_device("teensy-4.1").cost_table, CostTable::kCortexM4);
  EXPECT_EQ(find_device("esp32").cost_table, CostTable::kCortexM4);
  const DeployModel& floats = testing::test_deploy_model(Variant::kFloatMlp).model;
  EXPECT_GT(estimate_cycles(floats, find_device("rp2040")), 5 * estimate_cycles(floats, m4));  // software float
}

}  // namespace
}  // namespace tinymlops

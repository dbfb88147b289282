#include "tinymlops/deploy/kernel_costs.h"

#include <gtest/gtest.h>

#include <cmath>

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
  // Never selected there: not measured.
  EXPECT_FALSE(measured_kernel_cost(CostTable::kAvr, "tml_fully_connected_s8_dsp"));
  EXPECT_FALSE(measured_kernel_cost(CostTable::kAvr, "no_such_kernel"));
}

// The estimate against what verify counts on the emulated boards, for the
// test models (other shapes than those bench/kernel_costs fitted on): within
// 35% (cycles on avr, instructions on cortex-m4).
TEST(KernelCosts, EstimatesComeCloseToWhatVerifyMeasures) {
  const std::pair<Variant, VerifyTarget> cases[] = {
      {Variant::kInt8Mlp, VerifyTarget::kAvr},  {Variant::kInt8Mlp, VerifyTarget::kCortexM4},
      {Variant::kInt8Cnn, VerifyTarget::kAvr},  {Variant::kInt8Cnn, VerifyTarget::kCortexM4},
      {Variant::kFloatCnn, VerifyTarget::kCortexM4},
  };
  for (const auto& [variant, target] : cases) {
    const testing::TestDeployModel& test = testing::test_deploy_model(variant);
    VerifyOptions options;
    options.target = target;
    const VerifyReport measured = verify_model(test.model, spread_rows(test.rows, 4), options, nullptr);
    const Device& board = find_device(target == VerifyTarget::kAvr ? "simavr-atmega328p" : "qemu-mps2-an386");
    const double estimate = estimate_cycles(test.model, board);
    const double measured_count = static_cast<double>(measured.counter_per_inference);
    EXPECT_NEAR(estimate / measured_count, 1.0, 0.35)
        << testing::variant_label(variant) << " on " << measured.target << ": estimate " << estimate << ", measured "
        << measured_count;
  }
}

// The kernels a board's features select are what is costed: a Cortex-M4 runs
// the int8 MLP on its DSP kernels, an ESP32 (same figures, no DSP extension) on
// the reference ones; float kernels on a core without an FPU cost ten times.
TEST(KernelCosts, FollowTheBoardsKernelsAndFpu) {
  const DeployModel& int8 = testing::test_deploy_model(Variant::kInt8Mlp).model;
  const Device& m4 = find_device("stm32f4");
  Device same_without_dsp = m4;
  same_without_dsp.kernel_features = kPortable;
  EXPECT_LT(estimate_cycles(int8, m4), estimate_cycles(int8, same_without_dsp));

  const DeployModel& floats = testing::test_deploy_model(Variant::kFloatMlp).model;
  Device without_fpu = m4;
  without_fpu.fpu = false;
  const KernelCost output = *measured_kernel_cost(CostTable::kCortexM4, "output");
  const double copy = output.per_value * static_cast<double>(floats.output_size());  // not floating point
  EXPECT_NEAR((estimate_cycles(floats, without_fpu) - copy) / (estimate_cycles(floats, m4) - copy), kSoftFloatFactor,
              1e-9);
}

}  // namespace
}  // namespace tinymlops

// tml_common.h: tml_requantize, tml_clamp, tml_output_s8.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>

#include "reference.h"
#include "tml_common.h"

namespace {

constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
constexpr int32_t kHalf = int32_t{1} << 30;  // M = 2^30: m = 2^(shift - 1)

using tml_test::q8;
using tml_test::rq;

TEST(Requantize, IdentityMultiplierReturnsTheAccumulator) {
  // M = 2^30, shift 1: m = 2^30 * 2^-30 = 1.
  for (int32_t acc : {0, 1, -1, 12345, -12345, kMax, kMin}) {
    EXPECT_EQ(tml_requantize(acc, rq(kHalf, 1)), acc) << acc;
  }
}

TEST(Requantize, PositiveTiesRoundUp) {
  // m = 0.5.
  EXPECT_EQ(tml_requantize(1, rq(kHalf, 0)), 1);  // 0.5
  EXPECT_EQ(tml_requantize(3, rq(kHalf, 0)), 2);  // 1.5
  EXPECT_EQ(tml_requantize(5, rq(kHalf, 0)), 3);  // 2.5
  EXPECT_EQ(tml_requantize(4, rq(kHalf, 0)), 2);  // 2 exactly
  // m = 0.75 (M = 3 * 2^29).
  EXPECT_EQ(tml_requantize(10, rq(1610612736, 0)), 8);  // 7.5
  EXPECT_EQ(tml_requantize(100, rq(1610612736, 0)), 75);
}

TEST(Requantize, NegativeTiesRoundTowardPlusInfinity) {
  // m = 0.5: -0.5 -> 0, -1.5 -> -1, -2.5 -> -2 (not away from zero).
  EXPECT_EQ(tml_requantize(-1, rq(kHalf, 0)), 0);
  EXPECT_EQ(tml_requantize(-3, rq(kHalf, 0)), -1);
  EXPECT_EQ(tml_requantize(-5, rq(kHalf, 0)), -2);
  EXPECT_EQ(tml_requantize(-4, rq(kHalf, 0)), -2);
  // m = 0.75: -7.5 -> -7.
  EXPECT_EQ(tml_requantize(-10, rq(1610612736, 0)), -7);
}

TEST(Requantize, NonTiesRoundToNearest) {
  // m = 0.25.
  EXPECT_EQ(tml_requantize(7, rq(kHalf, -1)), 2);    // 1.75
  EXPECT_EQ(tml_requantize(5, rq(kHalf, -1)), 1);    // 1.25
  EXPECT_EQ(tml_requantize(-7, rq(kHalf, -1)), -2);  // -1.75
  EXPECT_EQ(tml_requantize(-5, rq(kHalf, -1)), -1);  // -1.25
  EXPECT_EQ(tml_requantize(-6, rq(kHalf, -1)), -1);  // -1.5 tie
  EXPECT_EQ(tml_requantize(6, rq(kHalf, -1)), 2);    // 1.5 tie
  EXPECT_EQ(tml_requantize(1, rq(kHalf, -1)), 0);    // 0.25
  EXPECT_EQ(tml_requantize(-1, rq(kHalf, -1)), 0);   // -0.25
}

TEST(Requantize, ZeroMultiplierGivesZero) {
  for (int32_t shift : {-31, -5, 0, 1, 30}) {
    for (int32_t acc : {0, 1, -1, kMax, kMin}) {
      EXPECT_EQ(tml_requantize(acc, rq(0, shift)), 0) << acc << " " << shift;
    }
  }
}

TEST(Requantize, SmallestShiftMinus31) {
  // n = 62: m = M * 2^-62.
  // (2^31-1)^2 / 2^62 = 1 - 2^-30 + 2^-62 -> 1.
  EXPECT_EQ(tml_requantize(kMax, rq(kMax, -31)), 1);
  // -2^31 (2^31-1) / 2^62 = -(1 - 2^-31) -> -1.
  EXPECT_EQ(tml_requantize(kMin, rq(kMax, -31)), -1);
  // -2^31 * 2^30 / 2^62 = -0.5 exactly: tie -> 0.
  EXPECT_EQ(tml_requantize(kMin, rq(kHalf, -31)), 0);
  // (2^31-1) 2^30 / 2^62 = 0.5 - 2^-32 -> 0.
  EXPECT_EQ(tml_requantize(kMax, rq(kHalf, -31)), 0);
  // -(2^31-1) 2^30 / 2^62 = -0.5 + 2^-32 -> 0.
  EXPECT_EQ(tml_requantize(-kMax, rq(kHalf, -31)), 0);
  // (2^31-1)(2^30+1) / 2^62 = 0.5 + 2^-32 - 2^-62 (just above the tie) -> 1.
  EXPECT_EQ(tml_requantize(kMax, rq(kHalf + 1, -31)), 1);
  // -2^31 (2^30+1) / 2^62 = -0.5 - 2^-31 (just below the tie) -> -1.
  EXPECT_EQ(tml_requantize(kMin, rq(kHalf + 1, -31)), -1);
  EXPECT_EQ(tml_requantize(12345, rq(kMax, -31)), 0);
  EXPECT_EQ(tml_requantize(-12345, rq(kMax, -31)), 0);
}

TEST(Requantize, LargestShift30) {
  // n = 1: m = M / 2.
  EXPECT_EQ(tml_requantize(1, rq(kHalf, 30)), 536870912);   // 2^29
  EXPECT_EQ(tml_requantize(3, rq(kHalf, 30)), 1610612736);  // 3 * 2^29
  EXPECT_EQ(tml_requantize(-4, rq(kHalf, 30)), kMin);       // -2^31 exactly
  // (2^31 - 1) / 2 = 1073741823.5: ties up on both signs.
  EXPECT_EQ(tml_requantize(1, rq(kMax, 30)), 1073741824);
  EXPECT_EQ(tml_requantize(-1, rq(kMax, 30)), -1073741823);
  EXPECT_EQ(tml_requantize(0, rq(kMax, 30)), 0);
}

TEST(Requantize, SaturatesToInt32Range) {
  EXPECT_EQ(tml_requantize(4, rq(kHalf, 30)), kMax);   // 2^31
  EXPECT_EQ(tml_requantize(-5, rq(kHalf, 30)), kMin);  // -2.5 * 2^30
  EXPECT_EQ(tml_requantize(kMax, rq(kMax, 30)), kMax);
  EXPECT_EQ(tml_requantize(kMin, rq(kMax, 30)), kMin);
  EXPECT_EQ(tml_requantize(kMax, rq(kHalf, 2)), kMax);  // m = 2
  EXPECT_EQ(tml_requantize(kMin, rq(kHalf, 2)), kMin);
  // m = 2: 2^30 * 2 = 2^31 saturates, 2^30 - 1 does not.
  EXPECT_EQ(tml_requantize(int32_t{1} << 30, rq(kHalf, 2)), kMax);
  EXPECT_EQ(tml_requantize((int32_t{1} << 30) - 1, rq(kHalf, 2)), kMax - 1);
  EXPECT_EQ(tml_requantize(-(int32_t{1} << 30), rq(kHalf, 2)), kMin);
  EXPECT_EQ(tml_requantize(-(int32_t{1} << 30) - 1, rq(kHalf, 2)), kMin);
}

TEST(Requantize, ReferenceAgreesWithHandValues) {
  // The test reference itself, on the hand cases above.
  EXPECT_EQ(tml_test::requantize(-5, kHalf, 0), -2);
  EXPECT_EQ(tml_test::requantize(5, kHalf, 0), 3);
  EXPECT_EQ(tml_test::requantize(kMin, kHalf, -31), 0);
  EXPECT_EQ(tml_test::requantize(-1, kMax, 30), -1073741823);
  EXPECT_EQ(tml_test::requantize(4, kHalf, 30), kMax);
  EXPECT_EQ(tml_test::requantize(-5, kHalf, 30), kMin);
  EXPECT_EQ(tml_test::requantize(-7, kHalf, -1), -2);
}

TEST(Requantize, RandomMatchesExactReference) {
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int32_t> full(kMin, kMax);
  for (int i = 0; i < 20000; ++i) {
    int32_t acc;
    switch (i % 4) {
      case 0: acc = full(rng); break;
      case 1: acc = tml_test::rand_int(rng, -100000, 100000); break;
      case 2: acc = tml_test::rand_int(rng, -64, 64); break;
      default: acc = (i & 8) ? kMax - tml_test::rand_int(rng, 0, 3) : kMin + tml_test::rand_int(rng, 0, 3);
    }
    int32_t multiplier = tml_test::rand_multiplier(rng);
    // Multipliers with many trailing zero bits make exact ties common.
    if (i % 3 == 0) multiplier &= ~((int32_t{1} << tml_test::rand_int(rng, 20, 29)) - 1);
    const int32_t shift = tml_test::rand_int(rng, -31, 30);
    ASSERT_EQ(tml_requantize(acc, rq(multiplier, shift)), tml_test::requantize(acc, multiplier, shift))
        << "acc=" << acc << " M=" << multiplier << " shift=" << shift;
  }
}

TEST(Clamp, ClampsToBounds) {
  EXPECT_EQ(tml_clamp(5, -3, 7), 5);
  EXPECT_EQ(tml_clamp(-4, -3, 7), -3);
  EXPECT_EQ(tml_clamp(8, -3, 7), 7);
  EXPECT_EQ(tml_clamp(-3, -3, 7), -3);
  EXPECT_EQ(tml_clamp(7, -3, 7), 7);
  EXPECT_EQ(tml_clamp(kMin, -128, 127), -128);
  EXPECT_EQ(tml_clamp(kMax, -128, 127), 127);
}

TEST(OutputS8, AddsZeroPointAndClamps) {
  const tml_requant half = rq(kHalf, 0);  // m = 0.5
  const tml_q8_params full = q8(0, -5, -128, 127);
  EXPECT_EQ(tml_output_s8(20, half, &full), 5);       // 10 - 5
  EXPECT_EQ(tml_output_s8(-3, half, &full), -6);      // -1.5 -> -1, -1 - 5
  EXPECT_EQ(tml_output_s8(3, half, &full), -3);       // 1.5 -> 2, 2 - 5
  EXPECT_EQ(tml_output_s8(1000, half, &full), 127);   // 495
  EXPECT_EQ(tml_output_s8(-1000, half, &full), -128);  // -505
  EXPECT_EQ(tml_output_s8(264, half, &full), 127);    // 132 - 5 = 127 exactly
  EXPECT_EQ(tml_output_s8(266, half, &full), 127);    // 128 -> 127
  EXPECT_EQ(tml_output_s8(-246, half, &full), -128);  // -123 - 5 = -128 exactly
  EXPECT_EQ(tml_output_s8(-248, half, &full), -128);  // -129 -> -128
}

TEST(OutputS8, ReluAndRelu6Clamps) {
  const tml_requant half = rq(kHalf, 0);
  const tml_q8_params relu = q8(0, -5, -5, 127);
  EXPECT_EQ(tml_output_s8(-3, half, &relu), -5);
  EXPECT_EQ(tml_output_s8(-100, half, &relu), -5);
  EXPECT_EQ(tml_output_s8(2, half, &relu), -4);
  // ReLU6 with scale 1/10: [zp, zp + 60].
  const tml_q8_params relu6 = q8(0, -5, -5, 55);
  EXPECT_EQ(tml_output_s8(120, half, &relu6), 55);
  EXPECT_EQ(tml_output_s8(118, half, &relu6), 54);
  EXPECT_EQ(tml_output_s8(-30, half, &relu6), -5);
}

TEST(OutputS8, SaturatedRequantPlusZeroPointDoesNotWrap) {
  const tml_requant big = rq(kMax, 30);  // |requantize| saturates at the int32 limits
  const tml_q8_params up = q8(0, 100, -128, 127);
  EXPECT_EQ(tml_output_s8(kMax, big, &up), 127);
  EXPECT_EQ(tml_output_s8(kMin, big, &up), -128);
  const tml_q8_params down = q8(0, -100, -128, 127);
  EXPECT_EQ(tml_output_s8(kMin, big, &down), -128);
  EXPECT_EQ(tml_output_s8(kMax, big, &down), 127);
  const tml_q8_params extreme = q8(0, 127, -128, 127);
  EXPECT_EQ(tml_output_s8(kMax, big, &extreme), 127);
  const tml_q8_params extreme_low = q8(0, -128, -128, 127);
  EXPECT_EQ(tml_output_s8(kMin, big, &extreme_low), -128);
}

TEST(OutputS8, RandomMatchesReference) {
  std::mt19937 rng(99);
  for (int i = 0; i < 5000; ++i) {
    const int32_t acc = tml_test::rand_int(rng, -2000000, 2000000);
    const int32_t multiplier = tml_test::rand_multiplier(rng);
    const int32_t shift = tml_test::rand_int(rng, -16, 0);
    const int32_t out_zp = tml_test::rand_int(rng, -128, 127);
    int32_t act_min = 0, act_max = 0;
    tml_test::rand_clamp(rng, out_zp, act_min, act_max);
    const tml_q8_params p = q8(0, out_zp, act_min, act_max);
    ASSERT_EQ(tml_output_s8(acc, rq(multiplier, shift), &p),
              tml_test::output_s8(acc, multiplier, shift, out_zp, act_min, act_max))
        << "acc=" << acc << " M=" << multiplier << " shift=" << shift << " zp=" << out_zp;
  }
}

}  // namespace

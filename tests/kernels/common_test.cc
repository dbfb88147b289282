// tml_common.h: tml_requantize, tml_requantize64, tml_clamp, tml_output_s8, tml_output_s16.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>

#include "reference.h"
#include "tml_common.h"

namespace {

using tml_test::kHalf;

constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
constexpr int32_t kMin = std::numeric_limits<int32_t>::min();

using tml_test::q16;
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

// The constants store M (24 significant bits) and s in one int32: every shift
// and the extreme multipliers come back unchanged, and m = 0 stays 0.
TEST(Requantize, PackedMultiplierAndShiftLoadBack) {
  const int32_t low = int32_t{1} << 30, high = static_cast<int32_t>((int64_t{1} << 31) - 128);
  for (int32_t shift = -31; shift <= 30; ++shift) {
    for (int32_t multiplier : {low, high, low + 128 * 12345}) {
      const int32_t packed[1] = {tml_pack_requant(rq(multiplier, shift))};
      EXPECT_GE(packed[0], 0);
      const tml_requant back = tml_load_requant(packed, 0);
      EXPECT_EQ(back.multiplier, multiplier) << shift;
      EXPECT_EQ(back.shift, shift) << multiplier;
    }
  }
  const int32_t zero[1] = {tml_pack_requant(rq(0, 0))};
  EXPECT_EQ(zero[0], 0);
  EXPECT_EQ(tml_load_requant(zero, 0).multiplier, 0);
  EXPECT_EQ(tml_load_requant(zero, 0).shift, 0);
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

// ---------------------------------------------------------------- int16x8

constexpr int64_t kMax64 = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin64 = std::numeric_limits<int64_t>::min();

TEST(Requantize64, HandValuesBeyondInt32) {
  // m = 2^-10 (M = 2^30, shift -9).
  EXPECT_EQ(tml_requantize64(int64_t{1} << 40, rq(kHalf, -9)), int32_t{1} << 30);
  // -2^30 - 0.5: a tie, rounded toward +infinity.
  EXPECT_EQ(tml_requantize64(-(int64_t{1} << 40) - 512, rq(kHalf, -9)), -(int32_t{1} << 30));
  EXPECT_EQ(tml_requantize64(-(int64_t{1} << 40) - 513, rq(kHalf, -9)), -(int32_t{1} << 30) - 1);
  // m = 1/8: 2^30 + 1/8 -> 2^30.
  EXPECT_EQ(tml_requantize64((int64_t{1} << 33) + 1, rq(kHalf, -2)), int32_t{1} << 30);
  // m = 2^-32 on the extremes (n = 62): -2^63 * 2^-32 = -2^31 exactly.
  EXPECT_EQ(tml_requantize64(kMin64, rq(kHalf, -31)), kMin);
  EXPECT_EQ(tml_requantize64(kMax64 / 2, rq(kHalf, -31)), int32_t{1} << 30);  // (2^62 - 1) / 2^32, rounded
  EXPECT_EQ(tml_requantize64(-(int64_t{1} << 62), rq(kHalf, -31)), -(int32_t{1} << 30));
  EXPECT_EQ(tml_requantize64(-1, rq(kHalf, 0)), 0);  // -0.5 -> 0
}

TEST(Requantize64, SaturatesToInt32Range) {
  EXPECT_EQ(tml_requantize64(int64_t{3} << 33, rq(kHalf, 0)), kMax);  // 3 * 2^32
  EXPECT_EQ(tml_requantize64(-(int64_t{3} << 33), rq(kHalf, 0)), kMin);
  EXPECT_EQ(tml_requantize64(kMax64, rq(kMax, -31)), kMax);  // about 2^32
  EXPECT_EQ(tml_requantize64(kMin64, rq(kMax, -31)), kMin);
  EXPECT_EQ(tml_requantize64(kMax64, rq(kMax, 30)), kMax);
  EXPECT_EQ(tml_requantize64(kMin64, rq(kMax, 30)), kMin);
  // m = 1: the int32 limits themselves pass, one beyond saturates.
  EXPECT_EQ(tml_requantize64(kMax, rq(kHalf, 1)), kMax);
  EXPECT_EQ(tml_requantize64(int64_t{kMax} + 1, rq(kHalf, 1)), kMax);
  EXPECT_EQ(tml_requantize64(kMin, rq(kHalf, 1)), kMin);
  EXPECT_EQ(tml_requantize64(int64_t{kMin} - 1, rq(kHalf, 1)), kMin);
}

TEST(Requantize64, ZeroMultiplierGivesZero) {
  for (int32_t shift : {-31, 0, 30}) {
    for (int64_t acc : {int64_t{0}, int64_t{-1}, kMax64, kMin64}) EXPECT_EQ(tml_requantize64(acc, rq(0, shift)), 0);
  }
}

TEST(Requantize64, EqualsRequantizeOnInt32Accumulators) {
  std::mt19937 rng(64);
  std::uniform_int_distribution<int32_t> full(kMin, kMax);
  for (int i = 0; i < 20000; ++i) {
    const int32_t acc = i % 2 ? full(rng) : tml_test::rand_int(rng, -1000, 1000);
    const tml_requant r = rq(tml_test::rand_multiplier(rng), tml_test::rand_int(rng, -31, 30));
    ASSERT_EQ(tml_requantize64(acc, r), tml_requantize(acc, r)) << acc << " " << r.multiplier << " " << r.shift;
  }
}

TEST(Requantize64, RandomMatchesExactReference) {
  std::mt19937 rng(4321);
  for (int i = 0; i < 50000; ++i) {
    int64_t acc = tml_test::rand_s64(rng);
    if (i % 50 == 0) acc = i % 100 ? kMax64 - tml_test::rand_int(rng, 0, 3) : kMin64 + tml_test::rand_int(rng, 0, 3);
    int32_t multiplier = tml_test::rand_multiplier(rng);
    if (i % 3 == 0) multiplier &= ~((int32_t{1} << tml_test::rand_int(rng, 20, 29)) - 1);  // ties
    if (i % 97 == 0) multiplier = kMax;
    const int32_t shift = tml_test::rand_int(rng, -31, 30);
    ASSERT_EQ(tml_requantize64(acc, rq(multiplier, shift)), tml_test::requantize_wide(acc, multiplier, shift))
        << "acc=" << acc << " M=" << multiplier << " shift=" << shift;
  }
}

TEST(OutputS16, ClampsAndSaturatesToInt16) {
  const tml_requant half = rq(kHalf, 0);  // m = 0.5
  const tml_q16_params full = q16(-32768, 32767);
  EXPECT_EQ(tml_output_s16(3, half, &full), 2);    // 1.5 -> 2
  EXPECT_EQ(tml_output_s16(-3, half, &full), -1);  // -1.5 -> -1
  EXPECT_EQ(tml_output_s16(65534, half, &full), 32767);
  EXPECT_EQ(tml_output_s16(65535, half, &full), 32767);  // 32767.5 -> 32768 -> 32767
  EXPECT_EQ(tml_output_s16(-65536, half, &full), -32768);
  EXPECT_EQ(tml_output_s16(-65538, half, &full), -32768);  // -32769
  EXPECT_EQ(tml_output_s16(kMax64, rq(kMax, 30), &full), 32767);
  EXPECT_EQ(tml_output_s16(kMin64, rq(kMax, 30), &full), -32768);
  const tml_q16_params relu = q16(0, 32767);
  EXPECT_EQ(tml_output_s16(-3, half, &relu), 0);
  EXPECT_EQ(tml_output_s16(-1, half, &relu), 0);
  const tml_q16_params relu6 = q16(0, 6000);  // scale 1/1000
  EXPECT_EQ(tml_output_s16(12002, half, &relu6), 6000);
  EXPECT_EQ(tml_output_s16(11998, half, &relu6), 5999);
}

TEST(OutputS16, RandomMatchesReference) {
  std::mt19937 rng(1616);
  for (int i = 0; i < 20000; ++i) {
    const int64_t acc = tml_test::rand_s64(rng, 48);
    const int32_t multiplier = tml_test::rand_multiplier(rng);
    const int32_t shift = tml_test::rand_int(rng, -31, 0);
    int32_t act_min = 0, act_max = 0;
    tml_test::rand_clamp16(rng, act_min, act_max);
    const tml_q16_params p = q16(act_min, act_max);
    ASSERT_EQ(tml_output_s16(acc, rq(multiplier, shift), &p),
              tml_test::output_s16(acc, multiplier, shift, act_min, act_max))
        << "acc=" << acc << " M=" << multiplier << " shift=" << shift;
  }
}

}  // namespace

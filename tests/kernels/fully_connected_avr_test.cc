// tml_fully_connected_avr.h: the AVR kernel (zero point taken out of the sum,
// one 8x8 multiply per MAC, requantization by the high word) gives the
// reference kernel's integers. On the host it runs its plain-C multiply; under
// simavr the MULS (tests/deploy: every int8 model verified on avr).
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "fully_connected_cases.h"
#include "reference.h"
#include "tml_fully_connected.h"
#include "tml_fully_connected_avr.h"

namespace {

using tml_test::q8;
using tml_test::sz;

TEST(FullyConnectedS8Avr, GivesTheReferenceIntegersOnRandomShapes) {
  tml_test::expect_reference_integers_on_random_shapes(tml_fully_connected_s8_avr, 328);
}

// At the accumulator bound of deploy_model.h: x = -128 against w = -128 with
// input zero point 127 gives the largest (x - zero_point) * w the reference
// sums; the AVR kernel's x * w and zero_point * sum w stay in int32 too.
TEST(FullyConnectedS8Avr, ExtremeValuesGiveTheReferenceIntegers) {
  const int in_features = 1000, out_features = 2;
  std::vector<int8_t> input(sz(in_features), -128), weights(sz(in_features * out_features), -128);
  for (int i = 0; i < in_features; ++i) weights[sz(in_features + i)] = 127;
  const std::vector<int32_t> bias{INT32_MAX - 255 * 128 * in_features, -(INT32_MAX - 255 * 127 * in_features)};
  const std::vector<int32_t> requant(sz(out_features), tml_pack_requant(tml_test::rq(tml_test::kHalf, -24)));
  const tml_q8_params params = q8(127, 0, -128, 127);
  std::vector<int8_t> expected(sz(out_features)), actual(sz(out_features));
  tml_fully_connected_s8(input.data(), in_features, weights.data(), bias.data(), out_features, requant.data(),
                         &params, expected.data());
  tml_fully_connected_s8_avr(input.data(), in_features, weights.data(), bias.data(), out_features, requant.data(),
                             &params, actual.data());
  EXPECT_EQ(actual, expected);
}

// The requantization from the high word of acc * M (four 16 x 16 multiplies)
// against the reference's 64-bit one: one input, so that the accumulator is
// the bias plus one product, over accumulators at both ends of the int32
// range and random ones, every shift from -31 to 1 and random multipliers.
TEST(FullyConnectedS8Avr, RequantizesEveryAccumulatorLikeTheReference) {
  std::mt19937 rng(3281);
  const int32_t margin = 255 * 128;  // the accumulator bound leaves room for one product
  std::vector<int32_t> biases{INT32_MIN + margin + 1, -65536, -65535, -1, 0, 1, 65535, 65536, INT32_MAX - margin};
  for (int i = 0; i < 60; ++i) biases.push_back(tml_test::rand_int(rng, INT32_MIN + margin + 1, INT32_MAX - margin));
  const int8_t weight = -128;
  for (int shift = -31; shift <= 1; ++shift) {
    for (int m = 0; m < 8; ++m) {
      const int32_t multiplier = m == 0 ? (INT32_MAX & ~0x7F) : tml_test::rand_multiplier(rng);
      const int32_t requant = tml_pack_requant(tml_test::rq(multiplier, shift));
      for (const int32_t bias : biases) {
        const int8_t x = tml_test::rand_s8(rng);
        const tml_q8_params params = q8(tml_test::rand_int(rng, -128, 127), tml_test::rand_int(rng, -128, 127), -128, 127);
        int8_t expected = 0, actual = 0;
        tml_fully_connected_s8(&x, 1, &weight, &bias, 1, &requant, &params, &expected);
        tml_fully_connected_s8_avr(&x, 1, &weight, &bias, 1, &requant, &params, &actual);
        ASSERT_EQ(actual, expected) << "bias " << bias << ", multiplier " << multiplier << ", shift " << shift;
      }
    }
  }
}

}  // namespace

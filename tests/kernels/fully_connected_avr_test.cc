// tml_fully_connected_avr.h: the AVR kernel (zero point taken out of the sum,
// one 8x8 multiply per MAC, requantization by the high word) gives the
// reference kernel's integers. On the host it runs its plain-C multiply; under
// simavr the MULS (tests/deploy: every int8 model verified on avr).
#include <gtest/gtest.h>

#include <cstdint>
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

}  // namespace

// tml_fully_connected_avr.h: the AVR kernel (zero point taken out of the sum,
// one 8x8 multiply per MAC, requantization by the high word) gives the
// reference kernel's integers. On the host it runs its plain-C multiply; under
// simavr the MULS (tests/deploy: every int8 model verified on avr).
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "reference.h"
#include "tml_fully_connected.h"
#include "tml_fully_connected_avr.h"

namespace {

using tml_test::q8;
using tml_test::sz;

// Random shapes (one input, one output, odd sizes), every zero point,
// full-range weights, every shift from -31 to 1 (both requantization paths),
// with and without a bias.
TEST(FullyConnectedS8Avr, GivesTheReferenceIntegersOnRandomShapes) {
  std::mt19937 rng(328);
  for (int iter = 0; iter < 3000; ++iter) {
    const int in_features = iter < 40 ? 1 + iter % 9 : tml_test::rand_int(rng, 1, 300);
    const int out_features = iter % 7 == 0 ? 1 : tml_test::rand_int(rng, 1, 17);
    std::vector<int8_t> input(sz(in_features)), weights(sz(in_features * out_features));
    for (auto& x : input) x = tml_test::rand_s8(rng);
    for (auto& w : weights) w = tml_test::rand_s8(rng);
    std::vector<int32_t> bias(sz(out_features)), requant(sz(out_features));
    for (auto& b : bias) b = tml_test::rand_int(rng, -100000, 100000);
    for (auto& r : requant) {
      r = tml_pack_requant(tml_test::rq(tml_test::rand_multiplier(rng), tml_test::rand_int(rng, -31, 1)));
    }
    const int32_t input_zero_point = iter % 11 == 0 ? (iter % 2 ? 127 : -128) : tml_test::rand_int(rng, -128, 127);
    const int32_t output_zero_point = tml_test::rand_int(rng, -128, 127);
    int32_t act_min = 0, act_max = 0;
    tml_test::rand_clamp(rng, output_zero_point, act_min, act_max);
    const tml_q8_params params = q8(input_zero_point, output_zero_point, act_min, act_max);
    const int32_t* bias_or_null = iter % 5 == 0 ? nullptr : bias.data();

    std::vector<int8_t> expected(sz(out_features), 0x55), actual(sz(out_features), 0x33);
    tml_fully_connected_s8(input.data(), in_features, weights.data(), bias_or_null, out_features, requant.data(),
                           &params, expected.data());
    tml_fully_connected_s8_avr(input.data(), in_features, weights.data(), bias_or_null, out_features,
                               requant.data(), &params, actual.data());
    ASSERT_EQ(actual, expected) << "iter " << iter << ": " << in_features << " -> " << out_features
                                << ", input zero point " << input_zero_point;
  }
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

// tml_fully_connected.h: output-major weights w[o][i], int8 rule set, float clamp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "reference.h"
#include "tml_fully_connected.h"

namespace {

using tml_test::kHalf;


using tml_test::q16;
using tml_test::q8;
using tml_test::rq;

// 3 inputs, 2 outputs. input - zp = [12, -18, 32];
// w[0] = [1, 2, 3]  -> 12 - 36 + 96 = 72,    + bias 102 = 174
// w[1] = [-4, 5, -6] -> -48 - 90 - 192 = -330, + bias -20 = -350
// output 0: m = 0.25  -> 43.5 (tie, up) = 44;  + zp 5 = 49
// output 1: m = 0.375 -> -131.25 = -131;       + zp 5 = -126
struct HandCase {
  const int8_t input[3] = {10, -20, 30};
  const int8_t weights[6] = {1, 2, 3, -4, 5, -6};
  const int32_t bias[2] = {102, -20};
  const tml_requant requant[2] = {rq(kHalf, -1), rq(1610612736, -1)};
};

TEST(FullyConnectedS8, HandComputedNoClamp) {
  HandCase c;
  const tml_q8_params p = q8(-2, 5, -128, 127);
  int8_t out[2] = {0, 0};
  tml_fully_connected_s8(c.input, 3, c.weights, c.bias, 2, c.requant, &p, out);
  EXPECT_EQ(out[0], 49);
  EXPECT_EQ(out[1], -126);
}

TEST(FullyConnectedS8, HandComputedReluClamp) {
  HandCase c;
  const tml_q8_params relu = q8(-2, 5, 5, 127);
  int8_t out[2] = {0, 0};
  tml_fully_connected_s8(c.input, 3, c.weights, c.bias, 2, c.requant, &relu, out);
  EXPECT_EQ(out[0], 49);
  EXPECT_EQ(out[1], 5);
  const tml_q8_params narrow = q8(-2, 5, 5, 45);
  tml_fully_connected_s8(c.input, 3, c.weights, c.bias, 2, c.requant, &narrow, out);
  EXPECT_EQ(out[0], 45);
  EXPECT_EQ(out[1], 5);
}

TEST(FullyConnectedS8, HandComputedNullBias) {
  // acc = [72, -330]: 72 * 0.25 = 18 -> 23; -330 * 0.375 = -123.75 -> -124 -> -119.
  HandCase c;
  const tml_q8_params p = q8(-2, 5, -128, 127);
  int8_t out[2] = {0, 0};
  tml_fully_connected_s8(c.input, 3, c.weights, nullptr, 2, c.requant, &p, out);
  EXPECT_EQ(out[0], 23);
  EXPECT_EQ(out[1], -119);
}

TEST(FullyConnectedS8, ExtremeInputsAndZeroPoint) {
  // in_zp = 127, input -128: x - zp = -255; w = [-128 .. ] gives 32640 per tap.
  const int8_t input[2] = {-128, -128};
  const int8_t weights[4] = {-128, -128, 127, 127};
  const int32_t bias[2] = {0, 0};
  // acc0 = 2 * 32640 = 65280, acc1 = 2 * -32385 = -64770; m = 2^-9 (M = 2^30, shift -8)
  // 65280 / 512 = 127.5 -> 128 - 1 = 127; -64770 / 512 = -126.50390625 -> -127 - 1 = -128.
  const tml_requant requant[2] = {rq(kHalf, -8), rq(kHalf, -8)};
  const tml_q8_params p = q8(127, -1, -128, 127);
  int8_t out[2] = {0, 0};
  tml_fully_connected_s8(input, 2, weights, bias, 2, requant, &p, out);
  EXPECT_EQ(out[0], 127);
  EXPECT_EQ(out[1], -128);
}

TEST(FullyConnectedS8, RandomMatchesReference) {
  std::mt19937 rng(2024);
  for (int iter = 0; iter < 400; ++iter) {
    const int in_features = tml_test::rand_int(rng, 1, 40);
    const int out_features = tml_test::rand_int(rng, 1, 12);
    std::vector<int8_t> input(static_cast<size_t>(in_features));
    std::vector<int8_t> weights(static_cast<size_t>(in_features * out_features));
    std::vector<int32_t> bias(static_cast<size_t>(out_features));
    std::vector<tml_requant> requant(static_cast<size_t>(out_features));
    for (auto& v : input) v = tml_test::rand_s8(rng);
    for (auto& v : weights) v = tml_test::rand_s8(rng, -127, 127);
    for (auto& v : bias) v = tml_test::rand_int(rng, -40000, 40000);
    const bool per_tensor = iter % 4 == 0;
    for (auto& r : requant) {
      r = per_tensor && &r != &requant[0] ? requant[0]
                                          : rq(tml_test::rand_multiplier(rng), tml_test::rand_int(rng, -14, 0));
    }
    const bool use_bias = iter % 5 != 0;
    const int32_t out_zp = tml_test::rand_int(rng, -128, 127);
    int32_t act_min = 0, act_max = 0;
    tml_test::rand_clamp(rng, out_zp, act_min, act_max);
    const tml_q8_params p = q8(tml_test::rand_int(rng, -128, 127), out_zp, act_min, act_max);

    std::vector<int8_t> out(static_cast<size_t>(out_features), 0x55);
    tml_fully_connected_s8(input.data(), in_features, weights.data(), use_bias ? bias.data() : nullptr,
                           out_features, requant.data(), &p, out.data());
    for (int o = 0; o < out_features; ++o) {
      int64_t acc = use_bias ? bias[static_cast<size_t>(o)] : 0;
      for (int i = 0; i < in_features; ++i) {
        acc += (int64_t{input[static_cast<size_t>(i)]} - p.input_zero_point) *
               weights[static_cast<size_t>(o * in_features + i)];
      }
      const tml_requant& r = requant[static_cast<size_t>(o)];
      ASSERT_EQ(out[static_cast<size_t>(o)],
                tml_test::output_s8(acc, r.multiplier, r.shift, out_zp, act_min, act_max))
          << "iter " << iter << " o " << o << " in " << in_features << " out " << out_features;
    }
  }
}

// ---------------------------------------------------------------- int16x8

// 3 inputs, 2 outputs, zero points 0.
// w[0] = [1, 2, 3]   -> 1000 - 4000 + 90000 = 87000,        + bias 100000 = 187000
// w[1] = [-4, 5, -6] -> -4000 - 10000 - 180000 = -194000,   + bias -7 = -194007
// output 0: m = 1/8   -> 23375 exactly
// output 1: m = 0.375 -> -72752.6 saturates to -32768
struct HandCase16 {
  const int16_t input[3] = {1000, -2000, 30000};
  const int8_t weights[6] = {1, 2, 3, -4, 5, -6};
  const int64_t bias[2] = {100000, -7};
  const tml_requant requant[2] = {rq(kHalf, -2), rq(1610612736, -1)};
};

TEST(FullyConnectedS16, HandComputedWithSaturation) {
  HandCase16 c;
  const tml_q16_params p = q16(-32768, 32767);
  int16_t out[2] = {0, 0};
  tml_fully_connected_s16(c.input, 3, c.weights, c.bias, 2, c.requant, &p, out);
  EXPECT_EQ(out[0], 23375);
  EXPECT_EQ(out[1], -32768);
  // No bias: 87000 / 8 = 10875; -194000 * 0.375 = -72750 -> -32768.
  tml_fully_connected_s16(c.input, 3, c.weights, nullptr, 2, c.requant, &p, out);
  EXPECT_EQ(out[0], 10875);
  EXPECT_EQ(out[1], -32768);
  const tml_q16_params relu = q16(0, 20000);
  tml_fully_connected_s16(c.input, 3, c.weights, c.bias, 2, c.requant, &relu, out);
  EXPECT_EQ(out[0], 20000);
  EXPECT_EQ(out[1], 0);
}

TEST(FullyConnectedS16, TiesRoundHalfUp) {
  // m = 0.5: 3 -> 1.5 -> 2; -3 -> -1.5 -> -1.
  const int16_t input[2] = {3, -3};
  const int8_t weights[4] = {1, 0, 0, 1};
  const tml_requant requant[2] = {rq(kHalf, 0), rq(kHalf, 0)};
  const tml_q16_params p = q16(-32768, 32767);
  int16_t out[2] = {0, 0};
  tml_fully_connected_s16(input, 2, weights, nullptr, 2, requant, &p, out);
  EXPECT_EQ(out[0], 2);
  EXPECT_EQ(out[1], -1);
  const int16_t extremes[2] = {32767, -32768};
  const int8_t signs[4] = {1, -1, -1, 1};
  tml_fully_connected_s16(extremes, 2, signs, nullptr, 2, requant, &p, out);
  EXPECT_EQ(out[0], 32767);   // 65535 * 0.5 = 32767.5 -> 32768 -> 32767
  EXPECT_EQ(out[1], -32767);  // -65535 * 0.5 = -32767.5 -> -32767 (ties toward +infinity)
}

TEST(FullyConnectedS16, BiasBeyondInt32) {
  // bias +-2^40, m = 2^-26 (M = 2^30, shift -25); the taps add 32767 * 127 + 32768 * 128 = 8355713:
  // (2^40 + 8355713) / 2^26 = 16384.12 -> 16384; (-2^40 + 8355713) / 2^26 = -16383.88 -> -16384.
  const int16_t input[2] = {32767, -32768};
  const int8_t weights[4] = {127, -128, 127, -128};
  const int64_t bias[2] = {int64_t{1} << 40, -(int64_t{1} << 40)};
  const tml_requant requant[2] = {rq(kHalf, -25), rq(kHalf, -25)};
  const tml_q16_params p = q16(-32768, 32767);
  int16_t out[2] = {0, 0};
  tml_fully_connected_s16(input, 2, weights, bias, 2, requant, &p, out);
  EXPECT_EQ(out[0], 16384);
  EXPECT_EQ(out[1], -16384);
}

TEST(FullyConnectedS16, HugeAccumulatorsSaturate) {
  // 4096 taps of 32767 * 127 on top of a 2^62 bias stay inside int64; m = 1.
  const int n = 4096;
  const std::vector<int16_t> high(static_cast<size_t>(n), 32767), low(static_cast<size_t>(n), -32768);
  const std::vector<int8_t> weights(static_cast<size_t>(n), 127);
  const int64_t bias[1] = {int64_t{1} << 62};
  const int64_t negative_bias[1] = {-(int64_t{1} << 62)};
  const tml_requant requant[1] = {rq(kHalf, 1)};
  const tml_q16_params p = q16(-32768, 32767);
  int16_t out[1] = {0};
  tml_fully_connected_s16(high.data(), n, weights.data(), bias, 1, requant, &p, out);
  EXPECT_EQ(out[0], 32767);
  tml_fully_connected_s16(low.data(), n, weights.data(), negative_bias, 1, requant, &p, out);
  EXPECT_EQ(out[0], -32768);
  // Without bias: 4096 * -32768 * 127 = -17045651456, times m = 2^-20 = -16256 exactly.
  const tml_requant small[1] = {rq(kHalf, -19)};
  tml_fully_connected_s16(low.data(), n, weights.data(), nullptr, 1, small, &p, out);
  EXPECT_EQ(out[0], -16256);
}

TEST(FullyConnectedS16, RandomMatchesReference) {
  std::mt19937 rng(1608);
  for (int iter = 0; iter < 400; ++iter) {
    const int in_features = tml_test::rand_int(rng, 1, 64);
    const int out_features = tml_test::rand_int(rng, 1, 12);
    std::vector<int16_t> input(static_cast<size_t>(in_features));
    std::vector<int8_t> weights(static_cast<size_t>(in_features * out_features));
    std::vector<int64_t> bias(static_cast<size_t>(out_features));
    std::vector<tml_requant> requant(static_cast<size_t>(out_features));
    const int input_range = iter % 3 == 0 ? 100 : 32768;
    for (auto& v : input) v = tml_test::rand_s16(rng, -input_range, std::min(input_range, 32767));
    for (auto& v : weights) v = tml_test::rand_s8(rng, iter % 7 == 0 ? -128 : -127, 127);
    for (auto& v : bias) v = tml_test::rand_s64(rng, 44);
    for (auto& r : requant) r = rq(tml_test::rand_multiplier(rng), tml_test::rand_int(rng, -30, 0));
    const bool use_bias = iter % 5 != 0;
    int32_t act_min = 0, act_max = 0;
    tml_test::rand_clamp16(rng, act_min, act_max);
    const tml_q16_params p = q16(act_min, act_max);

    std::vector<int16_t> out(static_cast<size_t>(out_features), 0x5555);
    tml_fully_connected_s16(input.data(), in_features, weights.data(), use_bias ? bias.data() : nullptr,
                            out_features, requant.data(), &p, out.data());
    for (int o = 0; o < out_features; ++o) {
      int64_t acc = use_bias ? bias[static_cast<size_t>(o)] : 0;
      for (int i = 0; i < in_features; ++i) {
        acc += int64_t{input[static_cast<size_t>(i)]} * weights[static_cast<size_t>(o * in_features + i)];
      }
      const tml_requant& r = requant[static_cast<size_t>(o)];
      ASSERT_EQ(out[static_cast<size_t>(o)], tml_test::output_s16(acc, r.multiplier, r.shift, act_min, act_max))
          << "iter " << iter << " o " << o;
    }
  }
}

TEST(FullyConnectedF32, HandComputed) {
  // out0 = 0.5 - 2 - 2 + 0.25 = -3.25; out1 = 1 + 2 - 1 + 3 = 5.
  const float input[3] = {1.0f, 2.0f, -1.0f};
  const float weights[6] = {0.5f, -1.0f, 2.0f, 1.0f, 1.0f, 1.0f};
  const float bias[2] = {0.25f, 3.0f};
  float out[2] = {0, 0};
  tml_fully_connected_f32(input, 3, weights, bias, 2, -3.4e38f, 3.4e38f, out);
  EXPECT_FLOAT_EQ(out[0], -3.25f);
  EXPECT_FLOAT_EQ(out[1], 5.0f);
  tml_fully_connected_f32(input, 3, weights, bias, 2, 0.0f, 3.4e38f, out);  // ReLU
  EXPECT_FLOAT_EQ(out[0], 0.0f);
  EXPECT_FLOAT_EQ(out[1], 5.0f);
  tml_fully_connected_f32(input, 3, weights, bias, 2, 0.0f, 4.0f, out);
  EXPECT_FLOAT_EQ(out[0], 0.0f);
  EXPECT_FLOAT_EQ(out[1], 4.0f);
  tml_fully_connected_f32(input, 3, weights, nullptr, 2, -3.4e38f, 3.4e38f, out);
  EXPECT_FLOAT_EQ(out[0], -3.5f);
  EXPECT_FLOAT_EQ(out[1], 2.0f);
}

TEST(FullyConnectedF32, RandomMatchesDoubleReference) {
  std::mt19937 rng(77);
  for (int iter = 0; iter < 300; ++iter) {
    const int in_features = tml_test::rand_int(rng, 1, 40);
    const int out_features = tml_test::rand_int(rng, 1, 12);
    std::vector<float> input(static_cast<size_t>(in_features));
    std::vector<float> weights(static_cast<size_t>(in_features * out_features));
    std::vector<float> bias(static_cast<size_t>(out_features));
    for (auto& v : input) v = tml_test::rand_float(rng, -2.0f, 2.0f);
    for (auto& v : weights) v = tml_test::rand_float(rng, -1.0f, 1.0f);
    for (auto& v : bias) v = tml_test::rand_float(rng, -1.0f, 1.0f);
    const bool use_bias = iter % 5 != 0;
    float act_min = -3.4e38f, act_max = 3.4e38f;
    if (iter % 3 == 1) act_min = 0.0f;
    if (iter % 3 == 2) {
      act_min = tml_test::rand_float(rng, -2.0f, 0.0f);
      act_max = tml_test::rand_float(rng, 0.0f, 2.0f);
    }
    std::vector<float> out(static_cast<size_t>(out_features), std::nanf(""));
    tml_fully_connected_f32(input.data(), in_features, weights.data(), use_bias ? bias.data() : nullptr,
                            out_features, act_min, act_max, out.data());
    for (int o = 0; o < out_features; ++o) {
      double acc = use_bias ? bias[static_cast<size_t>(o)] : 0.0;
      double magnitude = std::fabs(acc);
      for (int i = 0; i < in_features; ++i) {
        const double term = double{input[static_cast<size_t>(i)]} * weights[static_cast<size_t>(o * in_features + i)];
        acc += term;
        magnitude += std::fabs(term);
      }
      const double expected = std::clamp(acc, double{act_min}, double{act_max});
      ASSERT_NEAR(out[static_cast<size_t>(o)], expected, 1e-5 * magnitude + 1e-7)
          << "iter " << iter << " o " << o;
    }
  }
}

}  // namespace

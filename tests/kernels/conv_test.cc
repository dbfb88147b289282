// tml_conv.h: Conv2D weights[f][ky][kx][c], DepthwiseConv2D weights[ky][kx][c*M+m],
// channels-last images, implicit padding (skipped taps = input zero point).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "conv_reference.h"
#include "reference.h"
#include "tml_conv.h"

namespace {

using tml_test::kHalf;
using tml_test::kNone;
using tml_test::sz;


using tml_test::q16;
using tml_test::q8;
using tml_test::reference_acc;
using tml_test::rq;

tml_conv_shape shape(int in_h, int in_w, int in_c, int out_h, int out_w, int out_c, int kernel_h, int kernel_w,
                     int stride_h, int stride_w, int pad_top, int pad_left) {
  return tml_test::conv_shape(in_h, in_w, in_c, out_h, out_w, out_c, kernel_h, kernel_w, stride_h, stride_w, pad_top,
                              pad_left);
}


// ---------------------------------------------------------------- Conv2D f32

const float kImage3x3[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};

TEST(Conv2dF32, SamePaddingSkipsOutsideTaps) {
  // 3x3 box filter over 1..9 with one pixel of padding: neighbourhood sums.
  const tml_conv_shape s = shape(3, 3, 1, 3, 3, 1, 3, 3, 1, 1, 1, 1);
  const std::vector<float> ones(9, 1.0f);
  float out[9];
  tml_conv2d_f32(kImage3x3, &s, ones.data(), nullptr, -kNone, kNone, out);
  const float expected[9] = {12, 21, 16, 27, 45, 33, 24, 39, 28};
  for (int i = 0; i < 9; ++i) EXPECT_FLOAT_EQ(out[i], expected[i]) << i;
}

TEST(Conv2dF32, StrideTwoWithPadding) {
  const tml_conv_shape s = shape(3, 3, 1, 2, 2, 1, 3, 3, 2, 2, 1, 1);
  const std::vector<float> ones(9, 1.0f);
  const float bias[1] = {0.5f};
  float out[4];
  tml_conv2d_f32(kImage3x3, &s, ones.data(), bias, -kNone, kNone, out);
  EXPECT_FLOAT_EQ(out[0], 12.5f);
  EXPECT_FLOAT_EQ(out[1], 16.5f);
  EXPECT_FLOAT_EQ(out[2], 24.5f);
  EXPECT_FLOAT_EQ(out[3], 28.5f);
}

TEST(Conv2dF32, KernelRowsAreKyAndColumnsAreKx) {
  // One-hot kernel at (ky = 0, kx = 2), pad 1: out(oy, ox) = in(oy - 1, ox + 1).
  const tml_conv_shape s = shape(3, 3, 1, 3, 3, 1, 3, 3, 1, 1, 1, 1);
  const float weights[9] = {0, 0, 1, 0, 0, 0, 0, 0, 0};
  float out[9];
  tml_conv2d_f32(kImage3x3, &s, weights, nullptr, -kNone, kNone, out);
  const float expected[9] = {0, 0, 0, 2, 3, 0, 5, 6, 0};
  for (int i = 0; i < 9; ++i) EXPECT_FLOAT_EQ(out[i], expected[i]) << i;
}

TEST(Conv2dF32, WeightLayoutIsFilterKyKxChannel) {
  // 2x2x2 image, 2x2 kernel, valid: one output pixel, two filters.
  // pixels (0,0)=[1,2] (0,1)=[3,4] (1,0)=[5,6] (1,1)=[7,8]
  const float input[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  const tml_conv_shape s = shape(2, 2, 2, 1, 1, 2, 2, 2, 1, 1, 0, 0);
  const float weights[16] = {
      // filter 0: (0,0)=[1,-1] (0,1)=[2,1] (1,0)=[3,-3] (1,1)=[4,10]
      1, -1, 2, 1, 3, -3, 4, 10,
      // filter 1: only (1,0) channel 1
      0, 0, 0, 0, 0, 1, 0, 0};
  // f0 = 1 - 2 + 6 + 4 + 15 - 18 + 28 + 80 = 114; f1 = 6.
  float out[2];
  tml_conv2d_f32(input, &s, weights, nullptr, -kNone, kNone, out);
  EXPECT_FLOAT_EQ(out[0], 114.0f);
  EXPECT_FLOAT_EQ(out[1], 6.0f);
  tml_conv2d_f32(input, &s, weights, nullptr, 0.0f, 6.0f, out);  // ReLU6
  EXPECT_FLOAT_EQ(out[0], 6.0f);
  EXPECT_FLOAT_EQ(out[1], 6.0f);
  const float bias[2] = {-200.0f, -1.0f};
  tml_conv2d_f32(input, &s, weights, bias, 0.0f, 6.0f, out);
  EXPECT_FLOAT_EQ(out[0], 0.0f);
  EXPECT_FLOAT_EQ(out[1], 5.0f);
}

// ----------------------------------------------------------------- Conv2D s8

TEST(Conv2dS8, SamePaddingUsesInputZeroPoint) {
  // 2x2x1 image, in_zp 3: input - zp = [[1, 2], [3, 4]]. 3x3 kernel, pad 1.
  // filter 0 = [[1,2,3],[4,5,6],[7,8,9]]: acc = [77, 67, 47, 37] + bias 2,
  //   m = 0.5 -> 39.5, 34.5, 24.5, 19.5 -> 40, 35, 25, 20; + zp -10.
  // filter 1 = all -1: acc = -10 - 1 = -11, m = 1 -> -11 - 10 = -21.
  const int8_t input[4] = {4, 5, 6, 7};
  const tml_conv_shape s = shape(2, 2, 1, 2, 2, 2, 3, 3, 1, 1, 1, 1);
  const int8_t weights[18] = {1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -1, -1, -1, -1, -1, -1, -1, -1};
  const int32_t bias[2] = {2, -1};
  const tml_requant requant[2] = {rq(kHalf, 0), rq(kHalf, 1)};
  const tml_q8_params p = q8(3, -10, -128, 127);
  int8_t out[8];
  tml_conv2d_s8(input, &s, weights, bias, requant, &p, out);
  const int8_t expected[8] = {30, -21, 25, -21, 15, -21, 10, -21};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(out[i], expected[i]) << i;

  const tml_q8_params relu = q8(3, -10, -10, 127);
  tml_conv2d_s8(input, &s, weights, bias, requant, &relu, out);
  const int8_t expected_relu[8] = {30, -10, 25, -10, 15, -10, 10, -10};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(out[i], expected_relu[i]) << i;
}

TEST(Conv2dS8, WeightLayoutIsFilterMajorThenChannel) {
  // 1x1x3 image, 1x1 kernel, 2 filters: w[f][c].
  const int8_t input[3] = {1, 2, 3};
  const tml_conv_shape s = shape(1, 1, 3, 1, 1, 2, 1, 1, 1, 1, 0, 0);
  const int8_t weights[6] = {1, 2, 3, 4, 5, 6};
  const tml_requant requant[2] = {rq(kHalf, 1), rq(kHalf, 1)};
  const tml_q8_params p = q8(0, 0, -128, 127);
  int8_t out[2];
  tml_conv2d_s8(input, &s, weights, nullptr, requant, &p, out);
  EXPECT_EQ(out[0], 14);
  EXPECT_EQ(out[1], 32);
}

// ---------------------------------------------------------------- int16x8

TEST(Conv2dS16, SamePaddingSkipsOutsideTapsAndSaturates) {
  // The 3x3 box filter over 1000..9000 with one pixel of padding and m = 1:
  // neighbourhood sums times 1000, saturated at 32767.
  const int16_t input[9] = {1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000};
  const tml_conv_shape s = shape(3, 3, 1, 3, 3, 1, 3, 3, 1, 1, 1, 1);
  const std::vector<int8_t> ones(9, 1);
  const tml_requant requant[1] = {rq(kHalf, 1)};
  const tml_q16_params p = q16(-32768, 32767);
  int16_t out[9];
  tml_conv2d_s16(input, &s, ones.data(), nullptr, requant, &p, out);
  const int16_t expected[9] = {12000, 21000, 16000, 27000, 32767, 32767, 24000, 32767, 28000};
  for (int i = 0; i < 9; ++i) EXPECT_EQ(out[i], expected[i]) << i;
  // Bias -2^34 + 3 * 2^19 (both halves of the int64 matter) with m = 2^-20:
  // -16384 + 1.5 + sum / 2^20, the sums 12000..45000 adding 0.011..0.043 -> -16382.
  const int64_t bias[1] = {-(int64_t{1} << 34) + 3 * (int64_t{1} << 19)};
  const tml_requant small[1] = {rq(kHalf, -19)};
  tml_conv2d_s16(input, &s, ones.data(), bias, small, &p, out);
  for (int i = 0; i < 9; ++i) EXPECT_EQ(out[i], -16382) << i;
}

TEST(DepthwiseConv2dS16, MultiplierTwoHandComputed) {
  // 1x1x2 image, 1x1 kernel, multiplier 2: output c * 2 + m sees channel c.
  const int16_t input[2] = {30000, -30000};
  const tml_conv_shape s = shape(1, 1, 2, 1, 1, 4, 1, 1, 1, 1, 0, 0);
  const int8_t weights[4] = {1, -1, 2, 127};
  const int64_t bias[4] = {0, 5, 0, 0};
  // m = 1, 1, 1, 2^-7: 30000, -29995, -60000 -> -32768, -30000 * 127 / 128 = -29765.6 -> -29766.
  const tml_requant requant[4] = {rq(kHalf, 1), rq(kHalf, 1), rq(kHalf, 1), rq(kHalf, -6)};
  const tml_q16_params p = q16(-32768, 32767);
  int16_t out[4];
  tml_depthwise_conv2d_s16(input, &s, weights, bias, requant, &p, out);
  EXPECT_EQ(out[0], 30000);
  EXPECT_EQ(out[1], -29995);
  EXPECT_EQ(out[2], -32768);
  EXPECT_EQ(out[3], -29766);
  const tml_q16_params relu = q16(0, 32767);
  tml_depthwise_conv2d_s16(input, &s, weights, bias, requant, &relu, out);
  EXPECT_EQ(out[1], 0);
  EXPECT_EQ(out[3], 0);
}

// ------------------------------------------------------------- Depthwise

TEST(DepthwiseConv2dF32, MultiplierTwoLayout) {
  // 2x2 image, 2 channels, M = 2, 2x2 kernel, valid.
  // pixels (0,0)=[1,10] (0,1)=[2,20] (1,0)=[3,30] (1,1)=[4,40]
  const float input[8] = {1, 10, 2, 20, 3, 30, 4, 40};
  const tml_conv_shape s = shape(2, 2, 2, 1, 1, 4, 2, 2, 1, 1, 0, 0);
  // weights[ky][kx][c * 2 + m]
  const float weights[16] = {1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 1, -1};
  // o0 (c0 m0) = 1 + 3 = 4; o1 (c0 m1) = 2 + 3 = 5; o2 (c1 m0) = 20 + 40 = 60; o3 (c1 m1) = 10 - 40 = -30
  float out[4];
  tml_depthwise_conv2d_f32(input, &s, weights, nullptr, -kNone, kNone, out);
  EXPECT_FLOAT_EQ(out[0], 4.0f);
  EXPECT_FLOAT_EQ(out[1], 5.0f);
  EXPECT_FLOAT_EQ(out[2], 60.0f);
  EXPECT_FLOAT_EQ(out[3], -30.0f);
  const float bias[4] = {1, 2, 3, 4};
  tml_depthwise_conv2d_f32(input, &s, weights, bias, 0.0f, 6.0f, out);
  EXPECT_FLOAT_EQ(out[0], 5.0f);
  EXPECT_FLOAT_EQ(out[1], 6.0f);
  EXPECT_FLOAT_EQ(out[2], 6.0f);
  EXPECT_FLOAT_EQ(out[3], 0.0f);
}

TEST(DepthwiseConv2dF32, SamePaddingMultiplierTwo) {
  // One channel, M = 2, 3x3 kernel, pad 1: m0 = box filter, m1 = one-hot at (0, 2).
  const tml_conv_shape s = shape(3, 3, 1, 3, 3, 2, 3, 3, 1, 1, 1, 1);
  float weights[18];
  for (int k = 0; k < 9; ++k) {
    weights[2 * k] = 1.0f;
    weights[2 * k + 1] = k == 2 ? 1.0f : 0.0f;
  }
  float out[18];
  tml_depthwise_conv2d_f32(kImage3x3, &s, weights, nullptr, -kNone, kNone, out);
  const float expected[18] = {12, 0, 21, 0, 16, 0, 27, 2, 45, 3, 33, 0, 24, 5, 39, 6, 28, 0};
  for (int i = 0; i < 18; ++i) EXPECT_FLOAT_EQ(out[i], expected[i]) << i;
}

TEST(DepthwiseConv2dS8, MultiplierTwoHandComputed) {
  // As MultiplierTwoLayout, stored with in_zp -1 (q = value - 1).
  // acc = [4, 5, 60, -30] + bias [1, 2, 3, 4] = [5, 7, 63, -26];
  // m = 1, 1, 1, 0.5 -> [5, 7, 63, -13]; + zp 2.
  const int8_t input[8] = {0, 9, 1, 19, 2, 29, 3, 39};
  const tml_conv_shape s = shape(2, 2, 2, 1, 1, 4, 2, 2, 1, 1, 0, 0);
  const int8_t weights[16] = {1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 1, -1};
  const int32_t bias[4] = {1, 2, 3, 4};
  const tml_requant requant[4] = {rq(kHalf, 1), rq(kHalf, 1), rq(kHalf, 1), rq(kHalf, 0)};
  const tml_q8_params p = q8(-1, 2, -128, 127);
  int8_t out[4];
  tml_depthwise_conv2d_s8(input, &s, weights, bias, requant, &p, out);
  EXPECT_EQ(out[0], 7);
  EXPECT_EQ(out[1], 9);
  EXPECT_EQ(out[2], 65);
  EXPECT_EQ(out[3], -11);
  const tml_q8_params clamp = q8(-1, 2, 2, 8);
  tml_depthwise_conv2d_s8(input, &s, weights, bias, requant, &clamp, out);
  EXPECT_EQ(out[0], 7);
  EXPECT_EQ(out[1], 8);
  EXPECT_EQ(out[2], 8);
  EXPECT_EQ(out[3], 2);
}

TEST(DepthwiseConv2dS8, PaddingUsesInputZeroPoint) {
  // 1x1 image, 1 channel, 3x3 kernel, pad 1, all weights 5: only the centre tap
  // is inside. in_zp = 100, input 101 -> acc = 5 (a zero-valued pad would add
  // 8 * 5 * -100).
  const int8_t input[1] = {101};
  const tml_conv_shape s = shape(1, 1, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1);
  const std::vector<int8_t> weights(9, 5);
  const tml_requant requant[1] = {rq(kHalf, 1)};
  const tml_q8_params p = q8(100, 0, -128, 127);
  int8_t out[1];
  tml_depthwise_conv2d_s8(input, &s, weights.data(), nullptr, requant, &p, out);
  EXPECT_EQ(out[0], 5);
}

// ---------------------------------------------------------------- random

void random_s8(bool depthwise, unsigned seed) {
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 400; ++iter) {
    const tml_conv_shape s = tml_test::random_conv_shape(rng, depthwise);
    std::vector<int8_t> input(sz(s.in_h * s.in_w * s.in_c));
    const int weight_count = depthwise ? s.kernel_h * s.kernel_w * s.out_c : s.out_c * s.kernel_h * s.kernel_w * s.in_c;
    std::vector<int8_t> weights(sz(weight_count));
    std::vector<int32_t> bias(sz(s.out_c));
    std::vector<tml_requant> requant(sz(s.out_c));
    for (auto& v : input) v = tml_test::rand_s8(rng);
    for (auto& v : weights) v = tml_test::rand_s8(rng, -127, 127);
    for (auto& v : bias) v = tml_test::rand_int(rng, -20000, 20000);
    for (auto& r : requant) r = rq(tml_test::rand_multiplier(rng), tml_test::rand_int(rng, depthwise ? -10 : -14, 0));
    const bool use_bias = iter % 5 != 0;
    const int32_t out_zp = tml_test::rand_int(rng, -128, 127);
    int32_t act_min = 0, act_max = 0;
    tml_test::rand_clamp(rng, out_zp, act_min, act_max);
    const tml_q8_params p = q8(tml_test::rand_int(rng, -128, 127), out_zp, act_min, act_max);

    std::vector<int8_t> out(sz(s.out_h * s.out_w * s.out_c), 0x55);
    if (depthwise) {
      tml_depthwise_conv2d_s8(input.data(), &s, weights.data(), use_bias ? bias.data() : nullptr, requant.data(),
                              &p, out.data());
    } else {
      tml_conv2d_s8(input.data(), &s, weights.data(), use_bias ? bias.data() : nullptr, requant.data(), &p,
                    out.data());
    }
    for (int oy = 0; oy < s.out_h; ++oy) {
      for (int ox = 0; ox < s.out_w; ++ox) {
        for (int o = 0; o < s.out_c; ++o) {
          int64_t acc = reference_acc<int8_t, int64_t>(input, s, weights, depthwise, oy, ox, o,
                                                      int64_t{p.input_zero_point}, nullptr);
          if (use_bias) acc += bias[sz(o)];
          const tml_requant& r = requant[sz(o)];
          ASSERT_EQ(out[sz((oy * s.out_w + ox) * s.out_c + o)],
                    tml_test::output_s8(acc, r.multiplier, r.shift, out_zp, act_min, act_max))
              << "iter " << iter << " at " << oy << "," << ox << "," << o << " in " << s.in_h << "x" << s.in_w
              << "x" << s.in_c << " k " << s.kernel_h << "x" << s.kernel_w << " stride " << s.stride_h << ","
              << s.stride_w << " pad " << s.pad_top << "," << s.pad_left;
        }
      }
    }
  }
}

void random_f32(bool depthwise, unsigned seed) {
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 300; ++iter) {
    const tml_conv_shape s = tml_test::random_conv_shape(rng, depthwise);
    std::vector<float> input(sz(s.in_h * s.in_w * s.in_c));
    const int weight_count = depthwise ? s.kernel_h * s.kernel_w * s.out_c : s.out_c * s.kernel_h * s.kernel_w * s.in_c;
    std::vector<float> weights(sz(weight_count));
    std::vector<float> bias(sz(s.out_c));
    for (auto& v : input) v = tml_test::rand_float(rng, -2.0f, 2.0f);
    for (auto& v : weights) v = tml_test::rand_float(rng, -1.0f, 1.0f);
    for (auto& v : bias) v = tml_test::rand_float(rng, -1.0f, 1.0f);
    const bool use_bias = iter % 5 != 0;
    float act_min = -kNone, act_max = kNone;
    if (iter % 3 == 1) act_min = 0.0f;
    if (iter % 3 == 2) {
      act_min = tml_test::rand_float(rng, -2.0f, 0.0f);
      act_max = tml_test::rand_float(rng, 0.0f, 2.0f);
    }
    std::vector<float> out(sz(s.out_h * s.out_w * s.out_c), std::nanf(""));
    if (depthwise) {
      tml_depthwise_conv2d_f32(input.data(), &s, weights.data(), use_bias ? bias.data() : nullptr, act_min, act_max,
                               out.data());
    } else {
      tml_conv2d_f32(input.data(), &s, weights.data(), use_bias ? bias.data() : nullptr, act_min, act_max,
                     out.data());
    }
    const std::vector<double> in_d(input.begin(), input.end());
    const std::vector<double> w_d(weights.begin(), weights.end());
    for (int oy = 0; oy < s.out_h; ++oy) {
      for (int ox = 0; ox < s.out_w; ++ox) {
        for (int o = 0; o < s.out_c; ++o) {
          double magnitude = use_bias ? std::fabs(double{bias[sz(o)]}) : 0.0;
          double acc = reference_acc<double, double>(in_d, s, w_d, depthwise, oy, ox, o, 0.0, &magnitude);
          if (use_bias) acc += bias[sz(o)];
          const double expected = std::clamp(acc, double{act_min}, double{act_max});
          ASSERT_NEAR(out[sz((oy * s.out_w + ox) * s.out_c + o)], expected, 1e-5 * magnitude + 1e-7)
              << "iter " << iter << " at " << oy << "," << ox << "," << o;
        }
      }
    }
  }
}

void random_s16(bool depthwise, unsigned seed) {
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 400; ++iter) {
    const tml_conv_shape s = tml_test::random_conv_shape(rng, depthwise);
    std::vector<int16_t> input(sz(s.in_h * s.in_w * s.in_c));
    const int weight_count = depthwise ? s.kernel_h * s.kernel_w * s.out_c : s.out_c * s.kernel_h * s.kernel_w * s.in_c;
    std::vector<int8_t> weights(sz(weight_count));
    std::vector<int64_t> bias(sz(s.out_c));
    std::vector<tml_requant> requant(sz(s.out_c));
    for (auto& v : input) v = tml_test::rand_s16(rng);
    for (auto& v : weights) v = tml_test::rand_s8(rng, -127, 127);
    for (auto& v : bias) v = tml_test::rand_s64(rng, 40);
    for (auto& r : requant) r = rq(tml_test::rand_multiplier(rng), tml_test::rand_int(rng, depthwise ? -20 : -24, 0));
    const bool use_bias = iter % 5 != 0;
    int32_t act_min = 0, act_max = 0;
    tml_test::rand_clamp16(rng, act_min, act_max);
    const tml_q16_params p = q16(act_min, act_max);

    std::vector<int16_t> out(sz(s.out_h * s.out_w * s.out_c), 0x5555);
    if (depthwise) {
      tml_depthwise_conv2d_s16(input.data(), &s, weights.data(), use_bias ? bias.data() : nullptr, requant.data(),
                               &p, out.data());
    } else {
      tml_conv2d_s16(input.data(), &s, weights.data(), use_bias ? bias.data() : nullptr, requant.data(), &p,
                     out.data());
    }
    for (int oy = 0; oy < s.out_h; ++oy) {
      for (int ox = 0; ox < s.out_w; ++ox) {
        for (int o = 0; o < s.out_c; ++o) {
          // The reference widens the int8 weights to the input's type first.
          const std::vector<int16_t> wide(weights.begin(), weights.end());
          int64_t acc = reference_acc<int16_t, int64_t>(input, s, wide, depthwise, oy, ox, o, 0, nullptr);
          if (use_bias) acc += bias[sz(o)];
          const tml_requant& r = requant[sz(o)];
          ASSERT_EQ(out[sz((oy * s.out_w + ox) * s.out_c + o)],
                    tml_test::output_s16(acc, r.multiplier, r.shift, act_min, act_max))
              << "iter " << iter << " at " << oy << "," << ox << "," << o;
        }
      }
    }
  }
}

TEST(Conv2dS8, RandomMatchesReference) { random_s8(false, 11); }
TEST(Conv2dS16, RandomMatchesReference) { random_s16(false, 15); }
TEST(DepthwiseConv2dS16, RandomMatchesReference) { random_s16(true, 16); }
TEST(DepthwiseConv2dS8, RandomMatchesReference) { random_s8(true, 12); }
TEST(Conv2dF32, RandomMatchesDoubleReference) { random_f32(false, 13); }
TEST(DepthwiseConv2dF32, RandomMatchesDoubleReference) { random_f32(true, 14); }

}  // namespace

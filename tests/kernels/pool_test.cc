// tml_pool.h: max/average pooling, channels-last, valid windows; int8 average
// rounds half away from zero.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <vector>

#include "reference.h"
#include "tml_pool.h"

namespace {

using tml_test::sz;

tml_pool_shape pool(int in_h, int in_w, int channels, int out_h, int out_w, int pool_h, int pool_w, int stride_h,
                    int stride_w) {
  tml_pool_shape s;
  s.in_h = in_h;
  s.in_w = in_w;
  s.channels = channels;
  s.out_h = out_h;
  s.out_w = out_w;
  s.pool_h = pool_h;
  s.pool_w = pool_w;
  s.stride_h = stride_h;
  s.stride_w = stride_w;
  return s;
}


// Reference: average of `count` int8 values rounded half away from zero, by
// rounding |sum| / count half up on the magnitude.
int8_t avg_round_away(int64_t sum, int64_t count) {
  const int64_t magnitude = std::llabs(sum);
  const int64_t rounded = (2 * magnitude + count) / (2 * count);
  return static_cast<int8_t>(sum < 0 ? -rounded : rounded);
}

TEST(AvgPoolS8, NegativeSumsRoundHalfAwayFromZero) {
  // One 2x2 window over 4 channels: sums -7, -6, 6, -5 -> -1.75, -1.5, 1.5, -1.25.
  const int8_t input[16] = {-1, -1, 1, -2, -2, -1, 1, -1, -2, -1, 1, -1, -2, -3, 3, -1};
  const tml_pool_shape s = pool(2, 2, 4, 1, 1, 2, 2, 1, 1);
  int8_t out[4];
  tml_avg_pool_s8(input, &s, out);
  EXPECT_EQ(out[0], -2);
  EXPECT_EQ(out[1], -2);
  EXPECT_EQ(out[2], 2);
  EXPECT_EQ(out[3], -1);
}

TEST(AvgPoolS8, OddCountRoundsToNearest) {
  // 1x3 window, 3 channels: sums -4, -5, 5 -> -1.33, -1.67, 1.67.
  const int8_t input[9] = {-1, -1, 1, -1, -2, 2, -2, -2, 2};
  const tml_pool_shape s = pool(1, 3, 3, 1, 1, 1, 3, 1, 1);
  int8_t out[3];
  tml_avg_pool_s8(input, &s, out);
  EXPECT_EQ(out[0], -1);
  EXPECT_EQ(out[1], -2);
  EXPECT_EQ(out[2], 2);
}

TEST(AvgPoolS8, SixTapTies) {
  // 2x3 window, 4 channels: sums -9, 9, -3, 3 -> -1.5, 1.5, -0.5, 0.5.
  const int8_t input[24] = {-2, 2, -1, 1,  //
                            -2, 2, -1, 1,  //
                            -2, 2, -1, 1,  //
                            -1, 1, 0, 0,   //
                            -1, 1, 0, 0,   //
                            -1, 1, 0, 0};
  const tml_pool_shape s = pool(2, 3, 4, 1, 1, 2, 3, 1, 1);
  int8_t out[4];
  tml_avg_pool_s8(input, &s, out);
  EXPECT_EQ(out[0], -2);
  EXPECT_EQ(out[1], 2);
  EXPECT_EQ(out[2], -1);
  EXPECT_EQ(out[3], 1);
}

TEST(AvgPoolS8, ExtremeValues) {
  // 2x2 window, 4 channels: all -128, all 127, -128/127 mixed (-0.5), 3 x 127 + -128 (63.25).
  const int8_t input[16] = {-128, 127, -128, 127,  //
                            -128, 127, 127, 127,   //
                            -128, 127, -128, 127,  //
                            -128, 127, 127, -128};
  const tml_pool_shape s = pool(2, 2, 4, 1, 1, 2, 2, 1, 1);
  int8_t out[4];
  tml_avg_pool_s8(input, &s, out);
  EXPECT_EQ(out[0], -128);
  EXPECT_EQ(out[1], 127);
  EXPECT_EQ(out[2], -1);
  EXPECT_EQ(out[3], 63);
}

TEST(AvgPoolS8, GlobalAveragePool) {
  // 3x3 image, 2 channels: channel 0 = 1..9 (mean 5), channel 1 = -1..-9 plus one -1 (sum -46 -> -5.11).
  std::vector<int8_t> input(18);
  for (int i = 0; i < 9; ++i) {
    input[sz(2 * i)] = static_cast<int8_t>(i + 1);
    input[sz(2 * i + 1)] = static_cast<int8_t>(-(i + 1));
  }
  input[1] = -2;
  const tml_pool_shape s = pool(3, 3, 2, 1, 1, 3, 3, 1, 1);
  int8_t out[2];
  tml_avg_pool_s8(input.data(), &s, out);
  EXPECT_EQ(out[0], 5);
  EXPECT_EQ(out[1], -5);
}

TEST(MaxPoolS8, AllMinusOneTwentyEight) {
  const std::vector<int8_t> input(4 * 4 * 3, -128);
  const tml_pool_shape s = pool(4, 4, 3, 2, 2, 2, 2, 2, 2);
  std::vector<int8_t> out(12, 0x55);
  tml_max_pool_s8(input.data(), &s, out.data());
  for (int8_t v : out) EXPECT_EQ(v, -128);
}

TEST(MaxPoolS8, StrideTwoWindows) {
  const int8_t input[16] = {1, 5, 2, 0, 3, 4, 8, 7, -1, -2, -9, 6, -3, -4, 6, 6};
  const tml_pool_shape s = pool(4, 4, 1, 2, 2, 2, 2, 2, 2);
  int8_t out[4];
  tml_max_pool_s8(input, &s, out);
  EXPECT_EQ(out[0], 5);
  EXPECT_EQ(out[1], 8);
  EXPECT_EQ(out[2], -1);
  EXPECT_EQ(out[3], 6);
}

TEST(MaxPoolS8, ChannelsArePooledSeparately) {
  // 1x2 image, 2 channels, 1x2 window: channel 0 = [-5, 127], channel 1 = [-100, -128].
  const int8_t input[4] = {-5, -100, 127, -128};
  const tml_pool_shape s = pool(1, 2, 2, 1, 1, 1, 2, 1, 1);
  int8_t out[2];
  tml_max_pool_s8(input, &s, out);
  EXPECT_EQ(out[0], 127);
  EXPECT_EQ(out[1], -100);
}

TEST(MaxPoolF32, AllNegativeWindows) {
  const float input[16] = {-1, -5, -2, -0.5f, -3, -4, -8, -7, -1, -2, -9, -6, -3, -4, -6, -6};
  const tml_pool_shape s = pool(4, 4, 1, 2, 2, 2, 2, 2, 2);
  float out[4];
  tml_max_pool_f32(input, &s, out);
  EXPECT_FLOAT_EQ(out[0], -1.0f);
  EXPECT_FLOAT_EQ(out[1], -0.5f);
  EXPECT_FLOAT_EQ(out[2], -1.0f);
  EXPECT_FLOAT_EQ(out[3], -6.0f);
}

TEST(AvgPoolF32, OverlappingWindows) {
  // 1x4 image, 1x2 window, stride 1: means of neighbours.
  const float input[4] = {1, 2, 4, -8};
  const tml_pool_shape s = pool(1, 4, 1, 1, 3, 1, 2, 1, 1);
  float out[3];
  tml_avg_pool_f32(input, &s, out);
  EXPECT_FLOAT_EQ(out[0], 1.5f);
  EXPECT_FLOAT_EQ(out[1], 3.0f);
  EXPECT_FLOAT_EQ(out[2], -2.0f);
}

tml_pool_shape random_pool(std::mt19937& rng) {
  const int in_h = tml_test::rand_int(rng, 1, 7);
  const int in_w = tml_test::rand_int(rng, 1, 7);
  const int channels = tml_test::rand_int(rng, 1, 4);
  const int pool_h = tml_test::rand_int(rng, 1, in_h);
  const int pool_w = tml_test::rand_int(rng, 1, in_w);
  const int stride_h = tml_test::rand_int(rng, 1, 3);
  const int stride_w = tml_test::rand_int(rng, 1, 3);
  return pool(in_h, in_w, channels, (in_h - pool_h) / stride_h + 1, (in_w - pool_w) / stride_w + 1, pool_h, pool_w,
              stride_h, stride_w);
}

TEST(PoolS8, RandomMatchesReference) {
  std::mt19937 rng(31337);
  for (int iter = 0; iter < 500; ++iter) {
    const tml_pool_shape s = random_pool(rng);
    std::vector<int8_t> input(sz(s.in_h * s.in_w * s.channels));
    // Small ranges make exact ties common; full range tests the extremes.
    const int range = iter % 2 ? 3 : 128;
    for (auto& v : input) v = tml_test::rand_s8(rng, -range, std::min(range, 127));
    std::vector<int8_t> max_out(sz(s.out_h * s.out_w * s.channels), 0x55);
    std::vector<int8_t> avg_out(max_out.size(), 0x55);
    tml_max_pool_s8(input.data(), &s, max_out.data());
    tml_avg_pool_s8(input.data(), &s, avg_out.data());
    for (int oy = 0; oy < s.out_h; ++oy) {
      for (int ox = 0; ox < s.out_w; ++ox) {
        for (int c = 0; c < s.channels; ++c) {
          int best = -1000;
          int64_t sum = 0;
          for (int y = oy * s.stride_h; y < oy * s.stride_h + s.pool_h; ++y) {
            for (int x = ox * s.stride_w; x < ox * s.stride_w + s.pool_w; ++x) {
              const int v = input[sz((y * s.in_w + x) * s.channels + c)];
              best = std::max(best, v);
              sum += v;
            }
          }
          const size_t at = sz((oy * s.out_w + ox) * s.channels + c);
          ASSERT_EQ(max_out[at], best) << "iter " << iter;
          ASSERT_EQ(avg_out[at], avg_round_away(sum, s.pool_h * s.pool_w)) << "iter " << iter << " sum " << sum;
        }
      }
    }
  }
}

// ---------------------------------------------------------------- int16

TEST(AvgPoolS16, TiesRoundHalfAwayFromZeroAtTheExtremes) {
  // 1x2 windows, 4 channels: (-32768, -32767) = -32767.5 -> -32768; (32767, 32766) -> 32767;
  // (-32768, 32767) = -0.5 -> -1; (3, -6) = -1.5 -> -2.
  const int16_t input[8] = {-32768, 32767, -32768, 3, -32767, 32766, 32767, -6};
  const tml_pool_shape s = pool(1, 2, 4, 1, 1, 1, 2, 1, 1);
  int16_t out[4];
  tml_avg_pool_s16(input, &s, out);
  EXPECT_EQ(out[0], -32768);
  EXPECT_EQ(out[1], 32767);
  EXPECT_EQ(out[2], -1);
  EXPECT_EQ(out[3], -2);
}

TEST(AvgPoolS16, LargestWindowDoesNotOverflow) {
  // 255 x 257 = 65535 taps, the documented maximum, all at one extreme.
  const tml_pool_shape s = pool(255, 257, 1, 1, 1, 255, 257, 1, 1);
  for (int16_t value : {int16_t{-32768}, int16_t{32767}}) {
    const std::vector<int16_t> input(65535, value);
    int16_t out[1] = {0};
    tml_avg_pool_s16(input.data(), &s, out);
    EXPECT_EQ(out[0], value);
  }
}

TEST(MaxPoolS16, AllMinimumAndStrideTwo) {
  const std::vector<int16_t> input(4 * 4 * 2, -32768);
  const tml_pool_shape s = pool(4, 4, 2, 2, 2, 2, 2, 2, 2);
  std::vector<int16_t> out(8, 0x5555);
  tml_max_pool_s16(input.data(), &s, out.data());
  for (int16_t v : out) EXPECT_EQ(v, -32768);
  // A 3x3 image, 2x2 windows at stride 1: maxima of each quadrant.
  const int16_t image[9] = {-5, 32767, -300, 7, -32768, 1000, 8, 9, -1};
  const tml_pool_shape t = pool(3, 3, 1, 2, 2, 2, 2, 1, 1);
  int16_t maxima[4];
  tml_max_pool_s16(image, &t, maxima);
  EXPECT_EQ(maxima[0], 32767);
  EXPECT_EQ(maxima[1], 32767);
  EXPECT_EQ(maxima[2], 9);
  EXPECT_EQ(maxima[3], 1000);
}

TEST(PoolS16, RandomMatchesReference) {
  std::mt19937 rng(1616);
  for (int iter = 0; iter < 500; ++iter) {
    const tml_pool_shape s = random_pool(rng);
    std::vector<int16_t> input(sz(s.in_h * s.in_w * s.channels));
    const int range = iter % 2 ? 3 : 32768;
    for (auto& v : input) v = tml_test::rand_s16(rng, -range, std::min(range, 32767));
    std::vector<int16_t> max_out(sz(s.out_h * s.out_w * s.channels), 0x5555);
    std::vector<int16_t> avg_out(max_out.size(), 0x5555);
    tml_max_pool_s16(input.data(), &s, max_out.data());
    tml_avg_pool_s16(input.data(), &s, avg_out.data());
    for (int oy = 0; oy < s.out_h; ++oy) {
      for (int ox = 0; ox < s.out_w; ++ox) {
        for (int c = 0; c < s.channels; ++c) {
          int best = -100000;
          int64_t sum = 0;
          for (int y = oy * s.stride_h; y < oy * s.stride_h + s.pool_h; ++y) {
            for (int x = ox * s.stride_w; x < ox * s.stride_w + s.pool_w; ++x) {
              const int v = input[sz((y * s.in_w + x) * s.channels + c)];
              best = std::max(best, v);
              sum += v;
            }
          }
          const int64_t count = s.pool_h * s.pool_w;
          const int64_t rounded = (2 * std::llabs(sum) + count) / (2 * count);
          const size_t at = sz((oy * s.out_w + ox) * s.channels + c);
          ASSERT_EQ(max_out[at], best) << "iter " << iter;
          ASSERT_EQ(avg_out[at], sum < 0 ? -rounded : rounded) << "iter " << iter << " sum " << sum;
        }
      }
    }
  }
}

TEST(PoolF32, RandomMatchesReference) {
  std::mt19937 rng(4242);
  for (int iter = 0; iter < 300; ++iter) {
    const tml_pool_shape s = random_pool(rng);
    std::vector<float> input(sz(s.in_h * s.in_w * s.channels));
    for (auto& v : input) v = tml_test::rand_float(rng, -10.0f, 10.0f);
    std::vector<float> max_out(sz(s.out_h * s.out_w * s.channels), std::nanf(""));
    std::vector<float> avg_out(max_out.size(), std::nanf(""));
    tml_max_pool_f32(input.data(), &s, max_out.data());
    tml_avg_pool_f32(input.data(), &s, avg_out.data());
    for (int oy = 0; oy < s.out_h; ++oy) {
      for (int ox = 0; ox < s.out_w; ++ox) {
        for (int c = 0; c < s.channels; ++c) {
          double best = -1e300, sum = 0.0, magnitude = 0.0;
          for (int y = oy * s.stride_h; y < oy * s.stride_h + s.pool_h; ++y) {
            for (int x = ox * s.stride_w; x < ox * s.stride_w + s.pool_w; ++x) {
              const double v = input[sz((y * s.in_w + x) * s.channels + c)];
              best = std::max(best, v);
              sum += v;
              magnitude += std::fabs(v);
            }
          }
          const double count = s.pool_h * s.pool_w;
          const size_t at = sz((oy * s.out_w + ox) * s.channels + c);
          ASSERT_EQ(double{max_out[at]}, best) << "iter " << iter;
          ASSERT_NEAR(avg_out[at], sum / count, 1e-5 * magnitude / count + 1e-7) << "iter " << iter;
        }
      }
    }
  }
}

}  // namespace

// tml_quantize.h: q = clamp(round_half_away(x * inv_scale) + zero_point, -128, 127);
// x = scale * (q - zero_point).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "reference.h"
#include "tml_quantize.h"

namespace {

int8_t quantize_one(float x, float inv_scale, int32_t zero_point) {
  int8_t out = 0x55;
  tml_quantize_s8(&x, 1, inv_scale, zero_point, &out);
  return out;
}

float dequantize_one(int8_t q, float scale, int32_t zero_point) {
  float out = std::nanf("");
  tml_dequantize_s8(&q, 1, scale, zero_point, &out);
  return out;
}

// Reference from the contract: std::round is half away from zero and exact on
// the float product.
int8_t reference_quantize(float x, float inv_scale, int32_t zero_point) {
  const float scaled = x * inv_scale;
  if (std::isnan(scaled)) return static_cast<int8_t>(std::clamp(zero_point, -128, 127));
  const double rounded = std::round(static_cast<double>(scaled)) + zero_point;
  return static_cast<int8_t>(std::clamp(rounded, -128.0, 127.0));
}

TEST(QuantizeS8, TiesRoundHalfAwayFromZero) {
  // inv_scale 2 (scale 0.5).
  EXPECT_EQ(quantize_one(0.25f, 2.0f, 0), 1);    // 0.5
  EXPECT_EQ(quantize_one(-0.25f, 2.0f, 0), -1);  // -0.5
  EXPECT_EQ(quantize_one(0.75f, 2.0f, 0), 2);    // 1.5
  EXPECT_EQ(quantize_one(-0.75f, 2.0f, 0), -2);  // -1.5
  EXPECT_EQ(quantize_one(1.25f, 2.0f, 0), 3);    // 2.5
  EXPECT_EQ(quantize_one(-1.25f, 2.0f, 0), -3);  // -2.5
  EXPECT_EQ(quantize_one(0.2f, 2.0f, 0), 0);     // 0.4
  EXPECT_EQ(quantize_one(-0.2f, 2.0f, 0), 0);    // -0.4
  EXPECT_EQ(quantize_one(0.3f, 2.0f, 0), 1);     // 0.6
  EXPECT_EQ(quantize_one(-0.3f, 2.0f, 0), -1);   // -0.6
  EXPECT_EQ(quantize_one(0.0f, 2.0f, 0), 0);
  EXPECT_EQ(quantize_one(-0.0f, 2.0f, 0), 0);
}

TEST(QuantizeS8, ZeroPointIsAddedAfterRounding) {
  // Rounding happens before the zero point: -0.5 + 10 -> -1 + 10 = 9, not round(9.5) = 10.
  EXPECT_EQ(quantize_one(0.25f, 2.0f, 10), 11);
  EXPECT_EQ(quantize_one(-0.25f, 2.0f, 10), 9);
  EXPECT_EQ(quantize_one(-0.75f, 2.0f, 10), 8);
  EXPECT_EQ(quantize_one(0.75f, 2.0f, -10), -8);
  EXPECT_EQ(quantize_one(-0.75f, 2.0f, -10), -12);
}

TEST(QuantizeS8, JustBelowTiesRoundTowardZero) {
  EXPECT_EQ(quantize_one(std::nextafter(1.5f, 0.0f), 1.0f, 0), 1);
  EXPECT_EQ(quantize_one(std::nextafter(-1.5f, 0.0f), 1.0f, 0), -1);
  EXPECT_EQ(quantize_one(std::nextafter(2.5f, 0.0f), 1.0f, 0), 2);
  EXPECT_EQ(quantize_one(std::nextafter(-2.5f, 0.0f), 1.0f, 0), -2);
  EXPECT_EQ(quantize_one(std::nextafter(1.5f, 2.0f), 1.0f, 0), 2);
  EXPECT_EQ(quantize_one(std::nextafter(-1.5f, -2.0f), 1.0f, 0), -2);
}

// The largest float below 0.5 is 0.49999997f = 0.5 - 2^-25; round_half_away of
// it is 0. Adding 0.5f in float rounds 1 - 2^-25 up to 1.0f, so a kernel that
// rounds with (int)(scaled + 0.5f) yields 1 (and -1 for the negative value).
TEST(QuantizeS8, LargestFloatBelowHalfRoundsToZero) {
  const float below_half = std::nextafter(0.5f, 0.0f);
  ASSERT_EQ(below_half, 0.49999997f);
  EXPECT_EQ(quantize_one(below_half, 1.0f, 0), 0);
  EXPECT_EQ(quantize_one(-below_half, 1.0f, 0), 0);
  EXPECT_EQ(quantize_one(below_half, 1.0f, 20), 20);
  EXPECT_EQ(quantize_one(below_half * 0.5f, 2.0f, 0), 0);  // product is below_half exactly
}

TEST(QuantizeS8, SaturatesAtInt8Limits) {
  EXPECT_EQ(quantize_one(126.5f, 1.0f, 0), 127);
  EXPECT_EQ(quantize_one(127.4f, 1.0f, 0), 127);
  EXPECT_EQ(quantize_one(127.5f, 1.0f, 0), 127);
  EXPECT_EQ(quantize_one(-127.5f, 1.0f, 0), -128);
  EXPECT_EQ(quantize_one(-128.4f, 1.0f, 0), -128);
  EXPECT_EQ(quantize_one(-128.5f, 1.0f, 0), -128);
  EXPECT_EQ(quantize_one(1000.0f, 1.0f, 0), 127);
  EXPECT_EQ(quantize_one(-1000.0f, 1.0f, 0), -128);
  // Saturation applies after the zero point.
  EXPECT_EQ(quantize_one(60.0f, 1.0f, -100), -40);
  EXPECT_EQ(quantize_one(227.0f, 1.0f, -100), 127);
  EXPECT_EQ(quantize_one(228.0f, 1.0f, -100), 127);
  EXPECT_EQ(quantize_one(-27.5f, 1.0f, -100), -128);
  EXPECT_EQ(quantize_one(-27.4f, 1.0f, -100), -127);
  EXPECT_EQ(quantize_one(-228.0f, 1.0f, 100), -128);
  EXPECT_EQ(quantize_one(26.5f, 1.0f, 100), 127);
  EXPECT_EQ(quantize_one(26.4f, 1.0f, 100), 126);
  EXPECT_EQ(quantize_one(-300.0f, 1.0f, 100), -128);
}

TEST(QuantizeS8, HugeAndInfiniteValuesSaturate) {
  const float inf = std::numeric_limits<float>::infinity();
  const float big = std::numeric_limits<float>::max();
  for (int32_t zp : {-128, 0, 127}) {
    EXPECT_EQ(quantize_one(inf, 1.0f, zp), 127) << zp;
    EXPECT_EQ(quantize_one(-inf, 1.0f, zp), -128) << zp;
    EXPECT_EQ(quantize_one(big, 1.0f, zp), 127) << zp;
    EXPECT_EQ(quantize_one(-big, 1.0f, zp), -128) << zp;
    EXPECT_EQ(quantize_one(3.0e9f, 1.0f, zp), 127) << zp;  // beyond int32
    EXPECT_EQ(quantize_one(-3.0e9f, 1.0f, zp), -128) << zp;
    EXPECT_EQ(quantize_one(1.0f, 1.0e30f, zp), 127) << zp;  // large inv_scale
    EXPECT_EQ(quantize_one(-1.0f, 1.0e30f, zp), -128) << zp;
  }
}

TEST(QuantizeS8, NanMapsToZeroPoint) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(quantize_one(nan, 1.0f, 0), 0);
  EXPECT_EQ(quantize_one(nan, 0.25f, -7), -7);
  EXPECT_EQ(quantize_one(-nan, 4.0f, 99), 99);
  EXPECT_EQ(quantize_one(nan, 1.0f, -128), -128);
  EXPECT_EQ(quantize_one(nan, 1.0f, 127), 127);
  // 0 * inf is NaN too.
  EXPECT_EQ(quantize_one(0.0f, std::numeric_limits<float>::infinity(), 5), 5);
}

// Around the +-256 at which the kernel stops rounding (any zero point
// saturates beyond it), infinities and the largest floats: the contract's values.
TEST(QuantizeS8, ValuesNearAndFarBeyondTheSaturationMatchTheReference) {
  const float inf = std::numeric_limits<float>::infinity();
  const float max = std::numeric_limits<float>::max();
  for (const float x : {254.5f, 255.0f, 255.5f, 256.0f, 256.5f, 300.0f, 1.0e6f, 3.0e9f, max, inf}) {
    for (const int32_t zp : {-128, -1, 0, 1, 127}) {
      EXPECT_EQ(quantize_one(x, 1.0f, zp), reference_quantize(x, 1.0f, zp)) << x << " " << zp;
      EXPECT_EQ(quantize_one(-x, 1.0f, zp), reference_quantize(-x, 1.0f, zp)) << -x << " " << zp;
    }
  }
}

// The rounding is read off the float's bits: every exponent, both signs, and
// significands at and next to each exponent's half-way point, plus random ones.
TEST(QuantizeS8, EveryExponentRoundsLikeTheReference) {
  std::mt19937 rng(556);
  for (uint32_t exponent = 0; exponent < 256; ++exponent) {
    std::vector<uint32_t> significands{0, 1, 0x7FFFFF, 0x400000, 0x3FFFFF, 0x400001};
    // With shift = 150 - exponent in 1..23, the significand bit worth one half.
    if (exponent >= 127 && exponent < 150) {
      const uint32_t half = 1u << (149 - exponent);
      significands.insert(significands.end(), {half, half - 1, half + 1, 3 * half, 3 * half - 1});
    }
    for (int i = 0; i < 40; ++i) significands.push_back(static_cast<uint32_t>(tml_test::rand_int(rng, 0, 0x7FFFFF)));
    for (const uint32_t significand : significands) {
      for (const uint32_t sign : {0u, 1u}) {
        const uint32_t bits = sign << 31 | exponent << 23 | (significand & 0x7FFFFF);
        float x = 0;
        std::memcpy(&x, &bits, sizeof x);
        const int32_t zp = tml_test::rand_int(rng, -128, 127);
        ASSERT_EQ(quantize_one(x, 1.0f, zp), reference_quantize(x, 1.0f, zp)) << "bits " << std::hex << bits;
      }
    }
  }
}

TEST(QuantizeS8, ManyValuesInOneCall) {
  const float input[6] = {0.25f, -0.25f, 0.2f, 1000.0f, std::nanf(""), -1.0f};
  int8_t out[6];
  tml_quantize_s8(input, 6, 2.0f, 3, out);
  const int8_t expected[6] = {4, 2, 3, 127, 3, 1};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(out[i], expected[i]) << i;
}

TEST(QuantizeS8, RandomMatchesReference) {
  std::mt19937 rng(555);
  int checked = 0;
  for (int iter = 0; iter < 400; ++iter) {
    const float scale = std::exp2(tml_test::rand_float(rng, -10.0f, 2.0f));
    const float inv_scale = iter % 4 == 0 ? 1.0f / static_cast<float>(tml_test::rand_int(rng, 1, 8)) : 1.0f / scale;
    const int32_t zp = tml_test::rand_int(rng, -128, 127);
    std::vector<float> input(static_cast<size_t>(tml_test::rand_int(rng, 1, 64)));
    for (auto& v : input) {
      // Mostly in range; some exact multiples of half a step (ties) and some far outside.
      switch (tml_test::rand_int(rng, 0, 3)) {
        case 0: v = static_cast<float>(tml_test::rand_int(rng, -600, 600)) * 0.5f / inv_scale; break;
        case 1: v = tml_test::rand_float(rng, -1000.0f, 1000.0f) / inv_scale; break;
        default: v = tml_test::rand_float(rng, -140.0f, 140.0f) / inv_scale;
      }
    }
    std::vector<int8_t> out(input.size(), 0x55);
    tml_quantize_s8(input.data(), static_cast<int>(input.size()), inv_scale, zp, out.data());
    for (size_t i = 0; i < input.size(); ++i) {
      ASSERT_EQ(out[i], reference_quantize(input[i], inv_scale, zp))
          << "x=" << input[i] << " inv_scale=" << inv_scale << " zp=" << zp;
      ++checked;
    }
  }
  EXPECT_GT(checked, 1000);
}

TEST(DequantizeS8, HandValues) {
  EXPECT_EQ(dequantize_one(5, 0.5f, 3), 1.0f);
  EXPECT_EQ(dequantize_one(3, 0.5f, 3), 0.0f);
  EXPECT_EQ(dequantize_one(-128, 0.5f, 3), -65.5f);
  EXPECT_EQ(dequantize_one(127, 0.5f, 3), 62.0f);
  EXPECT_EQ(dequantize_one(-128, 0.25f, 127), -63.75f);
  EXPECT_EQ(dequantize_one(127, 0.25f, -128), 63.75f);
}

TEST(DequantizeS8, EveryCodeIsScaleTimesOffset) {
  std::mt19937 rng(17);
  for (int iter = 0; iter < 50; ++iter) {
    const float scale = std::exp2(tml_test::rand_float(rng, -12.0f, 4.0f));
    const int32_t zp = tml_test::rand_int(rng, -128, 127);
    std::vector<int8_t> codes(256);
    for (int k = 0; k < 256; ++k) codes[static_cast<size_t>(k)] = static_cast<int8_t>(k - 128);
    std::vector<float> out(256, std::nanf(""));
    tml_dequantize_s8(codes.data(), 256, scale, zp, out.data());
    for (int k = 0; k < 256; ++k) {
      // scale * (q - zp) is exact in double; the kernel's float product is its rounding.
      const float expected = static_cast<float>(static_cast<double>(scale) * (k - 128 - zp));
      ASSERT_EQ(out[static_cast<size_t>(k)], expected) << "q=" << k - 128 << " zp=" << zp;
    }
  }
}

TEST(QuantizeRoundTrip, DequantizeThenQuantizeIsIdentity) {
  std::mt19937 rng(23);
  for (int iter = 0; iter < 200; ++iter) {
    const float scale = std::exp2(tml_test::rand_float(rng, -12.0f, 4.0f));
    const float inv_scale = 1.0f / scale;
    const int32_t zp = tml_test::rand_int(rng, -128, 127);
    std::vector<int8_t> codes(256);
    for (int k = 0; k < 256; ++k) codes[static_cast<size_t>(k)] = static_cast<int8_t>(k - 128);
    std::vector<float> real(256);
    std::vector<int8_t> back(256);
    tml_dequantize_s8(codes.data(), 256, scale, zp, real.data());
    tml_quantize_s8(real.data(), 256, inv_scale, zp, back.data());
    ASSERT_EQ(back, codes) << "scale=" << scale << " zp=" << zp;
  }
}

TEST(QuantizeRoundTrip, QuantizeThenDequantizeIsWithinHalfAStep) {
  std::mt19937 rng(29);
  for (int iter = 0; iter < 300; ++iter) {
    const float scale = std::exp2(tml_test::rand_float(rng, -12.0f, 4.0f));
    const float inv_scale = 1.0f / scale;
    const int32_t zp = tml_test::rand_int(rng, -128, 127);
    const float low = scale * static_cast<float>(-128 - zp);
    const float high = scale * static_cast<float>(127 - zp);
    std::vector<float> input(64);
    for (auto& v : input) v = tml_test::rand_float(rng, low, high);
    std::vector<int8_t> q(input.size());
    std::vector<float> back(input.size());
    tml_quantize_s8(input.data(), static_cast<int>(input.size()), inv_scale, zp, q.data());
    tml_dequantize_s8(q.data(), static_cast<int>(q.size()), scale, zp, back.data());
    for (size_t i = 0; i < input.size(); ++i) {
      ASSERT_LE(std::fabs(double{back[i]} - double{input[i]}), 0.5 * scale * (1.0 + 1e-4))
          << "x=" << input[i] << " scale=" << scale << " zp=" << zp;
    }
  }
}

// ---------------------------------------------------------------- int16

int16_t quantize_one16(float x, float inv_scale) {
  int16_t out = 0x5555;
  tml_quantize_s16(&x, 1, inv_scale, &out);
  return out;
}

TEST(QuantizeS16, TiesRoundHalfAwayFromZeroAndSaturate) {
  EXPECT_EQ(quantize_one16(0.25f, 2.0f), 1);    // 0.5
  EXPECT_EQ(quantize_one16(-0.25f, 2.0f), -1);  // -0.5
  EXPECT_EQ(quantize_one16(0.2f, 2.0f), 0);     // 0.4
  EXPECT_EQ(quantize_one16(1.25f, 2.0f), 3);    // 2.5
  EXPECT_EQ(quantize_one16(0.49999997f, 1.0f), 0);
  EXPECT_EQ(quantize_one16(32766.5f, 1.0f), 32767);
  EXPECT_EQ(quantize_one16(32767.5f, 1.0f), 32767);
  EXPECT_EQ(quantize_one16(-32767.5f, 1.0f), -32768);
  EXPECT_EQ(quantize_one16(-32768.5f, 1.0f), -32768);
  EXPECT_EQ(quantize_one16(1.0f, 40000.0f), 32767);
  EXPECT_EQ(quantize_one16(-1.0f, 40000.0f), -32768);
  EXPECT_EQ(quantize_one16(std::numeric_limits<float>::infinity(), 1.0f), 32767);
  EXPECT_EQ(quantize_one16(-std::numeric_limits<float>::max(), 1.0f), -32768);
  EXPECT_EQ(quantize_one16(std::numeric_limits<float>::quiet_NaN(), 1.0f), 0);
}

TEST(QuantizeS16, RandomMatchesReference) {
  std::mt19937 rng(5516);
  for (int iter = 0; iter < 20000; ++iter) {
    const float inv_scale = iter % 4 == 0 ? 2.0f : 1.0f / std::exp2(tml_test::rand_float(rng, -16.0f, 0.0f));
    const float x = iter % 3 == 0 ? static_cast<float>(tml_test::rand_int(rng, -70000, 70000)) * 0.5f / inv_scale
                                  : tml_test::rand_float(rng, -40000.0f, 40000.0f) / inv_scale;
    const double rounded = std::round(static_cast<double>(x * inv_scale));
    ASSERT_EQ(quantize_one16(x, inv_scale), static_cast<int16_t>(std::clamp(rounded, -32768.0, 32767.0)))
        << "x=" << x << " inv_scale=" << inv_scale;
  }
}

TEST(DequantizeS16, EveryCodeIsScaleTimesCode) {
  std::vector<int16_t> codes(65536);
  for (int k = 0; k < 65536; ++k) codes[static_cast<size_t>(k)] = static_cast<int16_t>(k - 32768);
  std::vector<float> out(codes.size());
  tml_dequantize_s16(codes.data(), 65536, 0.125f, out.data());
  for (int k = 0; k < 65536; ++k) ASSERT_EQ(out[static_cast<size_t>(k)], 0.125f * static_cast<float>(k - 32768));
  std::vector<int16_t> back(codes.size());
  tml_quantize_s16(out.data(), 65536, 8.0f, back.data());
  EXPECT_EQ(back, codes);
}

}  // namespace

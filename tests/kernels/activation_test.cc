// tml_activation.h: int8 lookup tables, float activations, softmax.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "reference.h"
#include "tml_activation.h"

namespace {

using tml_test::sz;


// A table that is not the identity nor a shift: table[k] = (k * 37 + 11) mod 256 - 128.
std::vector<int8_t> scrambled_table() {
  std::vector<int8_t> table(256);
  for (int k = 0; k < 256; ++k) table[sz(k)] = static_cast<int8_t>((k * 37 + 11) % 256 - 128);
  return table;
}

TEST(LookupS8, IndexesByInputPlus128) {
  const std::vector<int8_t> table = scrambled_table();
  std::vector<int8_t> input(256);
  for (int k = 0; k < 256; ++k) input[sz(k)] = static_cast<int8_t>(k - 128);
  std::vector<int8_t> out(256, 0);
  tml_lookup_s8(input.data(), 256, table.data(), out.data());
  for (int k = 0; k < 256; ++k) EXPECT_EQ(out[sz(k)], table[sz(k)]) << "q=" << k - 128;
  // Hand values: q = -128 -> table[0] = 11 - 128 = -117; q = 127 -> table[255] = (9435 + 11) % 256 - 128 = 102.
  EXPECT_EQ(out[0], -117);
  EXPECT_EQ(out[255], 102);
}

TEST(LookupS8, InPlace) {
  const std::vector<int8_t> table = scrambled_table();
  std::mt19937 rng(5);
  std::vector<int8_t> data(1000);
  for (auto& v : data) v = tml_test::rand_s8(rng);
  const std::vector<int8_t> original = data;
  tml_lookup_s8(data.data(), static_cast<int>(data.size()), table.data(), data.data());
  for (size_t i = 0; i < data.size(); ++i) {
    EXPECT_EQ(data[i], table[static_cast<size_t>(original[i] + 128)]) << i;
  }
}

TEST(LookupS8, CountZeroWritesNothing) {
  const std::vector<int8_t> table = scrambled_table();
  const int8_t input[1] = {0};
  int8_t out[1] = {42};
  tml_lookup_s8(input, 0, table.data(), out);
  EXPECT_EQ(out[0], 42);
}

// ---------------------------------------------------------------- int16

// The contract of tml_lookup_s16, in 64-bit arithmetic with a flooring
// division written independently: table[j] + round_half_up(delta * t / 128).
int16_t reference_lookup16(int16_t q, const std::vector<int16_t>& table) {
  const int64_t u = int64_t{q} + 32768, j = u / 128, t = u % 128;
  const int64_t base = table[static_cast<size_t>(j)], delta = table[static_cast<size_t>(j + 1)] - base;
  const double exact = static_cast<double>(delta * t) / 128.0;  // exact: |delta * t| < 2^23
  return static_cast<int16_t>(base + static_cast<int64_t>(std::floor(exact + 0.5)));
}

TEST(LookupS16, SamplesAreExactAndBetweenIsInterpolated) {
  // table[j] = 10 * j - 2560: q = 128 * j - 32768 reads table[j]; q + 64 is half way (+5).
  std::vector<int16_t> table(513);
  for (int j = 0; j <= 512; ++j) table[sz(j)] = static_cast<int16_t>(10 * j - 2560);
  const int16_t input[7] = {-32768, -32767, -32704, 0, 63, 32767, -1};
  int16_t out[7];
  tml_lookup_s16(input, 7, table.data(), out);
  EXPECT_EQ(out[0], -2560);  // j = 0
  EXPECT_EQ(out[1], -2560);  // 10 / 128 = 0.08 -> 0
  EXPECT_EQ(out[2], -2555);  // t = 64: +5
  EXPECT_EQ(out[3], 0);      // j = 256
  EXPECT_EQ(out[4], 5);      // t = 63: 630 / 128 = 4.92 -> 5
  EXPECT_EQ(out[5], 2560);   // j = 511, t = 127: 2550 + 9.92 -> 2560 (entry 512 closes the last interval)
  EXPECT_EQ(out[6], 0);      // j = 255, t = 127: -10 + 9.92 = -0.08 -> 0
}

TEST(LookupS16, TiesRoundUpOnBothSlopes) {
  // Steps of +1 and -1 at t = 64 are exactly half way: +0.5 -> +1, -0.5 -> 0.
  std::vector<int16_t> rising(513, 0), falling(513, 0);
  rising[1] = 1;
  falling[1] = -1;
  const int16_t input[1] = {-32768 + 64};
  int16_t out[1];
  tml_lookup_s16(input, 1, rising.data(), out);
  EXPECT_EQ(out[0], 1);
  tml_lookup_s16(input, 1, falling.data(), out);
  EXPECT_EQ(out[0], 0);
}

TEST(LookupS16, FullSwingBetweenExtremesStaysInRange) {
  // Neighbouring entries -32768 and 32767 give the largest step; every value between is an int16.
  std::vector<int16_t> table(513);
  for (int j = 0; j <= 512; ++j) table[sz(j)] = static_cast<int16_t>(j % 2 ? 32767 : -32768);
  std::vector<int16_t> input(65536), out(65536);
  for (int k = 0; k < 65536; ++k) input[sz(k)] = static_cast<int16_t>(k - 32768);
  tml_lookup_s16(input.data(), 65536, table.data(), out.data());
  for (int k = 0; k < 65536; ++k) ASSERT_EQ(out[sz(k)], reference_lookup16(input[sz(k)], table)) << k;
  EXPECT_EQ(out[0], -32768);
  EXPECT_EQ(out[128], 32767);
}

TEST(LookupS16, RandomTablesMatchReferenceInPlace) {
  std::mt19937 rng(513);
  for (int iter = 0; iter < 20; ++iter) {
    std::vector<int16_t> table(513);
    for (auto& v : table) v = tml_test::rand_s16(rng);
    std::vector<int16_t> data(4000);
    for (auto& v : data) v = tml_test::rand_s16(rng);
    const std::vector<int16_t> original = data;
    tml_lookup_s16(data.data(), static_cast<int>(data.size()), table.data(), data.data());
    for (size_t i = 0; i < data.size(); ++i) ASSERT_EQ(data[i], reference_lookup16(original[i], table)) << i;
  }
}

// --------------------------------------------------------------- float

double reference(double x, tml_activation f, double alpha) {
  switch (f) {
    case TML_ACT_LINEAR: return x;
    case TML_ACT_RELU: return std::max(x, 0.0);
    case TML_ACT_RELU6: return std::min(std::max(x, 0.0), 6.0);
    case TML_ACT_LEAKY_RELU: return x >= 0 ? x : alpha * x;
    case TML_ACT_ELU: return x >= 0 ? x : alpha * std::expm1(x);
    case TML_ACT_SIGMOID: return 1.0 / (1.0 + std::exp(-x));
    case TML_ACT_TANH: return std::tanh(x);
    case TML_ACT_SOFTPLUS: return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
    case TML_ACT_SWISH: return x / (1.0 + std::exp(-x));
  }
  return 0.0;
}

float apply(float x, tml_activation f, float alpha = 0.0f) {
  float out = 0.0f;
  tml_activation_f32(&x, 1, f, alpha, &out);
  return out;
}

TEST(ActivationF32, HandValues) {
  EXPECT_FLOAT_EQ(apply(-2.5f, TML_ACT_LINEAR), -2.5f);
  EXPECT_FLOAT_EQ(apply(-2.5f, TML_ACT_RELU), 0.0f);
  EXPECT_FLOAT_EQ(apply(2.5f, TML_ACT_RELU), 2.5f);
  EXPECT_FLOAT_EQ(apply(-1.0f, TML_ACT_RELU6), 0.0f);
  EXPECT_FLOAT_EQ(apply(3.0f, TML_ACT_RELU6), 3.0f);
  EXPECT_FLOAT_EQ(apply(7.0f, TML_ACT_RELU6), 6.0f);
  EXPECT_FLOAT_EQ(apply(-2.0f, TML_ACT_LEAKY_RELU, 0.1f), -0.2f);
  EXPECT_FLOAT_EQ(apply(2.0f, TML_ACT_LEAKY_RELU, 0.1f), 2.0f);
  EXPECT_FLOAT_EQ(apply(2.0f, TML_ACT_ELU, 1.5f), 2.0f);
  EXPECT_NEAR(apply(-1.0f, TML_ACT_ELU, 1.5f), -0.948180830, 1e-6);  // 1.5 (e^-1 - 1)
  EXPECT_FLOAT_EQ(apply(0.0f, TML_ACT_SIGMOID), 0.5f);
  EXPECT_NEAR(apply(2.0f, TML_ACT_SIGMOID), 0.880797078, 1e-6);
  EXPECT_NEAR(apply(-2.0f, TML_ACT_SIGMOID), 0.119202922, 1e-6);
  EXPECT_FLOAT_EQ(apply(0.0f, TML_ACT_TANH), 0.0f);
  EXPECT_NEAR(apply(1.0f, TML_ACT_TANH), 0.761594156, 1e-6);
  EXPECT_NEAR(apply(0.0f, TML_ACT_SOFTPLUS), 0.693147181, 1e-6);  // ln 2
  EXPECT_NEAR(apply(-3.0f, TML_ACT_SOFTPLUS), 0.048587352, 1e-6);
  EXPECT_NEAR(apply(30.0f, TML_ACT_SOFTPLUS), 30.0, 1e-5);
  EXPECT_FLOAT_EQ(apply(0.0f, TML_ACT_SWISH), 0.0f);
  EXPECT_NEAR(apply(1.0f, TML_ACT_SWISH), 0.731058579, 1e-6);
  EXPECT_NEAR(apply(-1.0f, TML_ACT_SWISH), -0.268941421, 1e-6);
}

TEST(ActivationF32, SaturatingInputsStayFinite) {
  EXPECT_FLOAT_EQ(apply(-200.0f, TML_ACT_SIGMOID), 0.0f);
  EXPECT_FLOAT_EQ(apply(200.0f, TML_ACT_SIGMOID), 1.0f);
  EXPECT_FLOAT_EQ(apply(-200.0f, TML_ACT_TANH), -1.0f);
  EXPECT_FLOAT_EQ(apply(200.0f, TML_ACT_TANH), 1.0f);
  EXPECT_FLOAT_EQ(apply(200.0f, TML_ACT_SOFTPLUS), 200.0f);
  EXPECT_NEAR(apply(-200.0f, TML_ACT_SOFTPLUS), 0.0f, 1e-30);
  EXPECT_FLOAT_EQ(apply(200.0f, TML_ACT_SWISH), 200.0f);
  EXPECT_NEAR(apply(-200.0f, TML_ACT_SWISH), 0.0f, 1e-30);
  EXPECT_FLOAT_EQ(apply(-200.0f, TML_ACT_ELU, 1.5f), -1.5f);
}

TEST(ActivationF32, EveryFunctionMatchesFormula) {
  const tml_activation functions[] = {TML_ACT_LINEAR, TML_ACT_RELU,    TML_ACT_RELU6,
                                      TML_ACT_LEAKY_RELU, TML_ACT_ELU, TML_ACT_SIGMOID,
                                      TML_ACT_TANH,   TML_ACT_SOFTPLUS, TML_ACT_SWISH};
  std::vector<float> input;
  for (int k = -4000; k <= 4000; ++k) input.push_back(static_cast<float>(k) * 0.0075f);  // [-30, 30]
  std::mt19937 rng(8);
  for (int k = 0; k < 500; ++k) input.push_back(tml_test::rand_float(rng, -1.0f, 1.0f) * 1e-3f);
  const float alpha = 0.3f;
  for (tml_activation f : functions) {
    std::vector<float> out(input.size(), std::nanf(""));
    tml_activation_f32(input.data(), static_cast<int>(input.size()), f, alpha, out.data());
    for (size_t i = 0; i < input.size(); ++i) {
      const double expected = reference(input[i], f, alpha);
      // 1e-5 relative, with an absolute floor of 1e-6 for results near zero
      // (e.g. ELU's e^x - 1 in float for tiny x, sigmoid's far tail).
      ASSERT_NEAR(out[i], expected, 1e-5 * std::fabs(expected) + 1e-6)
          << "function " << static_cast<int>(f) << " x=" << input[i];
    }
  }
}

TEST(ActivationF32, InPlace) {
  std::vector<float> data = {-2.0f, -0.5f, 0.0f, 0.5f, 8.0f};
  tml_activation_f32(data.data(), static_cast<int>(data.size()), TML_ACT_RELU6, 0.0f, data.data());
  const std::vector<float> expected = {0.0f, 0.0f, 0.0f, 0.5f, 6.0f};
  EXPECT_EQ(data, expected);
  std::vector<float> swish = {-1.0f, 1.0f};
  tml_activation_f32(swish.data(), 2, TML_ACT_SWISH, 0.0f, swish.data());
  EXPECT_NEAR(swish[0], -0.268941421, 1e-6);
  EXPECT_NEAR(swish[1], 0.731058579, 1e-6);
}

// -------------------------------------------------------------- softmax

TEST(SoftmaxF32, LargeInputsAreStable) {
  const float input[2] = {1000.0f, 1001.0f};
  float out[2];
  tml_softmax_f32(input, 2, out);
  EXPECT_NEAR(out[0], 0.268941421, 1e-6);  // 1 / (1 + e)
  EXPECT_NEAR(out[1], 0.731058579, 1e-6);  // e / (1 + e)
  EXPECT_NEAR(out[0] + out[1], 1.0, 1e-6);

  const float negative[3] = {-1000.0f, -1001.0f, -1000.0f};
  float out3[3];
  tml_softmax_f32(negative, 3, out3);
  const double d = 2.0 + std::exp(-1.0);
  EXPECT_NEAR(out3[0], 1.0 / d, 1e-6);
  EXPECT_NEAR(out3[1], std::exp(-1.0) / d, 1e-6);
  EXPECT_NEAR(out3[2], 1.0 / d, 1e-6);
}

TEST(SoftmaxF32, SingleValueIsOneAndUniformInputsAreUniform) {
  const float one[1] = {-123.0f};
  float out1[1];
  tml_softmax_f32(one, 1, out1);
  EXPECT_FLOAT_EQ(out1[0], 1.0f);
  const float same[4] = {3.0f, 3.0f, 3.0f, 3.0f};
  float out4[4];
  tml_softmax_f32(same, 4, out4);
  for (float v : out4) EXPECT_FLOAT_EQ(v, 0.25f);
}

TEST(SoftmaxF32, MaxAnywhereInTheVector) {
  // Max first, middle and last (a max search that skips an element would overflow).
  for (int at = 0; at < 3; ++at) {
    float input[3] = {100.0f, 100.0f, 100.0f};
    input[at] = 200.0f;
    float out[3];
    tml_softmax_f32(input, 3, out);
    for (int i = 0; i < 3; ++i) {
      const double expected = i == at ? 1.0 / (1.0 + 2.0 * std::exp(-100.0)) : std::exp(-100.0);
      EXPECT_NEAR(out[i], expected, 1e-6) << at << " " << i;
      EXPECT_FALSE(std::isnan(out[i]));
    }
  }
}

TEST(SoftmaxF32, RandomMatchesReferenceAndSumsToOne) {
  std::mt19937 rng(606);
  for (int iter = 0; iter < 300; ++iter) {
    const int count = tml_test::rand_int(rng, 1, 50);
    const float offset = iter % 3 == 0 ? 5000.0f : 0.0f;
    std::vector<float> input(sz(count));
    for (auto& v : input) v = offset + tml_test::rand_float(rng, -20.0f, 20.0f);
    std::vector<float> out(input.size(), std::nanf(""));
    const bool in_place = iter % 2 == 1;
    if (in_place) {
      out = input;
      tml_softmax_f32(out.data(), count, out.data());
    } else {
      tml_softmax_f32(input.data(), count, out.data());
    }
    double max = input[0];
    for (float v : input) max = std::max(max, double{v});
    double denominator = 0.0;
    for (float v : input) denominator += std::exp(double{v} - max);
    double total = 0.0;
    for (int i = 0; i < count; ++i) {
      const double expected = std::exp(double{input[sz(i)]} - max) / denominator;
      ASSERT_NEAR(out[sz(i)], expected, 1e-5 * expected + 1e-7) << "iter " << iter << " i " << i;
      ASSERT_GE(out[sz(i)], 0.0f);
      total += out[sz(i)];
    }
    ASSERT_NEAR(total, 1.0, 1e-5) << "iter " << iter;
  }
}

// The kernels' own e^x (no libm expf): softmax({0, d})[1] is e^d / (1 + e^d),
// which is e^d itself in float once d <= -17, so its error is the exponential's.
TEST(SoftmaxF32, ExponentialIsWithinTwoUlpOverTheWholeRange) {
  for (float d = -87.0f; d <= -17.0f; d += 0.0137f) {
    const float input[2] = {0.0f, d};
    float out[2];
    tml_softmax_f32(input, 2, out);
    const double expected = std::exp(double{d});
    ASSERT_NEAR(out[1], expected, 2.4e-7 * expected) << "d=" << d;
  }
  for (float d = -17.0f; d <= 0.0f; d += 0.0011f) {
    const float input[2] = {d, 0.0f};
    float out[2];
    tml_softmax_f32(input, 2, out);
    const double e = std::exp(double{d});
    ASSERT_NEAR(out[0], e / (1.0 + e), 4e-7 * e / (1.0 + e)) << "d=" << d;
  }
  // Below the smallest normal result the exponential is 0; above the largest float, +inf.
  const float tiny[2] = {0.0f, -88.0f};
  float out[2];
  tml_softmax_f32(tiny, 2, out);
  EXPECT_EQ(out[1], 0.0f);
  EXPECT_EQ(apply(-89.0f, TML_ACT_SIGMOID), 0.0f);
  EXPECT_NEAR(apply(-88.5f, TML_ACT_SIGMOID), 1.0 / (1.0 + std::exp(88.5)), 1e-41);  // e^88.5 > 2^127
  EXPECT_GT(apply(-88.5f, TML_ACT_SIGMOID), 0.0f);
  EXPECT_TRUE(std::isnan(apply(std::nanf(""), TML_ACT_SIGMOID)));
}

}  // namespace

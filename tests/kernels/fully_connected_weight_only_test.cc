// Float activations with float16 or weight-only int8 weights, and the binary16
// conversion they rely on.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "reference.h"
#include "tml_fully_connected.h"

namespace {

using tml_test::half_value;


TEST(HalfToFloat, EveryBitPatternIsExact) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = tml_f16_to_f32(static_cast<uint16_t>(h));
    const int exponent = (h >> 10) & 0x1F;
    if (exponent == 0x1F) {
      if (h & 0x3FF) EXPECT_TRUE(std::isnan(f)) << h;
      else EXPECT_EQ(f, (h >> 15) ? -INFINITY : INFINITY) << h;
      continue;
    }
    ASSERT_EQ(static_cast<double>(f), half_value(static_cast<uint16_t>(h))) << h;
    EXPECT_EQ(std::signbit(f), (h >> 15) != 0) << h;
  }
}

TEST(FullyConnectedF16w, MatchesFloatWeights) {
  std::mt19937 rng(3);
  for (int iter = 0; iter < 100; ++iter) {
    const int in = tml_test::rand_int(rng, 1, 20), out = tml_test::rand_int(rng, 1, 6);
    std::vector<float> x(static_cast<size_t>(in)), bias(static_cast<size_t>(out)), expect(static_cast<size_t>(out));
    std::vector<uint16_t> w(static_cast<size_t>(in * out));
    for (auto& v : x) v = tml_test::rand_float(rng, -2, 2);
    for (auto& v : bias) v = tml_test::rand_float(rng, -1, 1);
    // Normal halves with exponents near 0: values in about [-2, 2].
    for (auto& h : w) h = static_cast<uint16_t>(tml_test::rand_int(rng, 0, 1) << 15 | tml_test::rand_int(rng, 10, 15) << 10 | tml_test::rand_int(rng, 0, 1023));
    for (int o = 0; o < out; ++o) {
      double acc = bias[static_cast<size_t>(o)];
      for (int i = 0; i < in; ++i) acc += x[static_cast<size_t>(i)] * half_value(w[static_cast<size_t>(o * in + i)]);
      expect[static_cast<size_t>(o)] = static_cast<float>(std::max(acc, 0.0));  // ReLU clamp
    }
    std::vector<float> y(static_cast<size_t>(out));
    tml_fully_connected_f16w(x.data(), in, w.data(), bias.data(), out, 0.0f, 3.4e38f, y.data());
    for (int o = 0; o < out; ++o) EXPECT_NEAR(y[static_cast<size_t>(o)], expect[static_cast<size_t>(o)], 1e-4) << iter;
  }
}

TEST(FullyConnectedW8, ScalesEachOutput) {
  const float x[2] = {1.5f, -2.0f};
  const int8_t w[4] = {10, -20, 127, 0};  // [o][i]
  const float scales[2] = {0.5f, 0.01f};
  const float bias[2] = {1.0f, -1.0f};
  float y[2];
  tml_fully_connected_w8(x, 2, w, scales, bias, 2, -3.4e38f, 3.4e38f, y);
  EXPECT_FLOAT_EQ(y[0], 1.0f + 0.5f * (15.0f + 40.0f));
  EXPECT_FLOAT_EQ(y[1], -1.0f + 0.01f * 190.5f);
}

}  // namespace

// Random fully-connected int8 cases for the optimized kernels' tests: each
// kernel must give tml_fully_connected_s8's integers on them.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "reference.h"
#include "tml_fully_connected.h"

namespace tml_test {

using FullyConnectedS8 = void (*)(const int8_t*, int, const int8_t*, const int32_t*, int, const int32_t*,
                                  const tml_q8_params*, int8_t*);

// 3,000 random shapes (inputs not a multiple of 4, one input, one or an odd
// number of outputs), every zero point, full-range weights, buffers at every
// alignment, shifts from -31 to 1 (every requantization path), with and
// without a bias: `kernel` against the reference, stopping at the first
// difference.
inline void expect_reference_integers_on_random_shapes(FullyConnectedS8 kernel, uint32_t seed) {
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 3000; ++iter) {
    const int in_features = iter < 40 ? 1 + iter % 9 : rand_int(rng, 1, 300);
    const int out_features = iter % 7 == 0 ? 1 : rand_int(rng, 1, 17);
    const size_t misalign = sz(iter % 4);
    std::vector<int8_t> input_buffer(sz(in_features) + misalign), weight_buffer(sz(in_features * out_features) + 3);
    int8_t* input = input_buffer.data() + misalign;
    int8_t* weights = weight_buffer.data() + (iter / 4) % 4;
    for (int i = 0; i < in_features; ++i) input[i] = rand_s8(rng);
    for (int i = 0; i < in_features * out_features; ++i) weights[i] = rand_s8(rng);
    std::vector<int32_t> bias(sz(out_features)), requant(sz(out_features));
    for (auto& b : bias) b = rand_int(rng, -100000, 100000);
    for (auto& r : requant) r = tml_pack_requant(rq(rand_multiplier(rng), rand_int(rng, -31, 1)));
    const int32_t input_zero_point = iter % 11 == 0 ? (iter % 2 ? 127 : -128) : rand_int(rng, -128, 127);
    const int32_t output_zero_point = rand_int(rng, -128, 127);
    int32_t act_min = 0, act_max = 0;
    rand_clamp(rng, output_zero_point, act_min, act_max);
    const tml_q8_params params = q8(input_zero_point, output_zero_point, act_min, act_max);
    const int32_t* bias_or_null = iter % 5 == 0 ? nullptr : bias.data();

    std::vector<int8_t> expected(sz(out_features), 0x55), actual(sz(out_features), 0x33);
    tml_fully_connected_s8(input, in_features, weights, bias_or_null, out_features, requant.data(), &params,
                           expected.data());
    kernel(input, in_features, weights, bias_or_null, out_features, requant.data(), &params, actual.data());
    ASSERT_EQ(actual, expected) << "iter " << iter << ": " << in_features << " -> " << out_features
                                << ", input zero point " << input_zero_point;
  }
}

}  // namespace tml_test

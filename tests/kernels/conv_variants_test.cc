// tml_conv.h's compressed-weight convolutions: int4, codebook and sparse
// weights with int8 activations (exactly equal to the reference on the dense
// weights), float16 and weight-only int8 weights with float activations
// (exactly equal to the f32 kernel on the decoded weights).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "conv_reference.h"
#include "reference.h"
#include "tml_conv.h"

namespace {

using tml_test::kHalf;
using tml_test::kNone;
using tml_test::sz;


using tml_test::conv_shape;
using tml_test::q8;
using tml_test::rq;


// The packed formats, written from the header (not shared with the library).
std::vector<uint8_t> pack4(const std::vector<int>& values) {
  std::vector<uint8_t> bytes((values.size() + 1) / 2, 0);
  for (size_t i = 0; i < values.size(); ++i) {
    const unsigned nibble = static_cast<unsigned>(values[i] < 0 ? values[i] + 16 : values[i]);
    bytes[i / 2] = static_cast<uint8_t>(bytes[i / 2] | (i % 2 ? nibble << 4 : nibble));
  }
  return bytes;
}

void encode_sparse(const std::vector<int8_t>& dense, std::vector<uint8_t>* mask, std::vector<int8_t>* values) {
  mask->assign((dense.size() + 7) / 8, 0);
  values->clear();
  for (size_t i = 0; i < dense.size(); ++i) {
    if (dense[i] == 0) continue;
    (*mask)[i / 8] = static_cast<uint8_t>((*mask)[i / 8] | (1u << (i % 8)));
    values->push_back(dense[i]);
  }
}


// ------------------------------------------------------------ hand computed

TEST(Conv2dS4, PackingRunsAcrossFilters) {
  // 1x1x3 image, 1x1 kernel, 3 filters: nine weights, so filter 1 starts in a
  // high nibble and the last byte is half used.
  const int8_t input[3] = {1, 2, 3};
  const tml_conv_shape s = conv_shape(1, 1, 3, 1, 1, 3, 1, 1, 1, 1, 0, 0);
  const std::vector<uint8_t> w = pack4({1, -2, 7, -8, 0, 3, 5, -1, -7});
  ASSERT_EQ(w.size(), 5u);
  const tml_requant unit[3] = {rq(kHalf, 1), rq(kHalf, 1), rq(kHalf, 1)};  // m = 1
  const tml_q8_params p = q8(0, 0, -128, 127);
  int8_t out[3];
  tml_conv2d_s4(input, &s, w.data(), nullptr, unit, &p, out);
  EXPECT_EQ(out[0], 1 - 4 + 21);
  EXPECT_EQ(out[1], -8 + 0 + 9);
  EXPECT_EQ(out[2], 5 - 2 - 21);
}

TEST(Conv2dCodebookS8, IndicesSelectCodebookEntries) {
  // Same geometry; weights codebook[index] with 100 and -128 out of int4 reach.
  const int8_t input[3] = {1, 2, 3};
  const tml_conv_shape s = conv_shape(1, 1, 3, 1, 1, 3, 1, 1, 1, 1, 0, 0);
  int8_t codebook[16] = {0};
  codebook[1] = 100;
  codebook[2] = -128;
  codebook[15] = 3;
  const std::vector<uint8_t> indices = pack4({1, 0, 15, 2, 2, 0, 0, 15, 1});  // 0..15 pack as is
  const int32_t bias[3] = {-100, 300, -250};
  const tml_requant unit[3] = {rq(kHalf, 1), rq(kHalf, 1), rq(kHalf, 1)};
  const tml_q8_params p = q8(0, 0, -128, 127);
  int8_t out[3];
  tml_conv2d_codebook_s8(input, &s, indices.data(), codebook, bias, unit, &p, out);
  EXPECT_EQ(out[0], -100 + 100 * 1 + 0 * 2 + 3 * 3);       // 9
  EXPECT_EQ(out[1], 300 + -128 * 1 + -128 * 2 + 0 * 3);    // -84
  EXPECT_EQ(out[2], -250 + 0 * 1 + 3 * 2 + 100 * 3);       // 56
}

TEST(Conv2dSparseS8, PaddedTapsStillAdvanceThroughTheMask) {
  // 1x2x1 image x = {3, 5}, 1x3 kernel, pad_left 1: output 1x2, 2 filters.
  // f0 = {2, 0, -1}, f1 = {0, 4, 6}: bits 0, 2, 4, 5, values {2, -1, 4, 6}.
  // At ox = 0 tap kx = 0 is padding, so f0's value 2 must be skipped over
  // (not used) before f1's values are read.
  const int8_t input[2] = {3, 5};
  const tml_conv_shape s = conv_shape(1, 2, 1, 1, 2, 2, 1, 3, 1, 1, 0, 1);
  std::vector<uint8_t> mask;
  std::vector<int8_t> values;
  encode_sparse({2, 0, -1, 0, 4, 6}, &mask, &values);
  ASSERT_EQ(mask, std::vector<uint8_t>{0x35});
  ASSERT_EQ(values, (std::vector<int8_t>{2, -1, 4, 6}));
  const tml_requant unit[2] = {rq(kHalf, 1), rq(kHalf, 1)};
  const tml_q8_params p = q8(0, 0, -128, 127);
  int8_t out[4];
  tml_conv2d_sparse_s8(input, &s, mask.data(), values.data(), nullptr, unit, &p, out);
  EXPECT_EQ(out[0], -5);  // ox 0, f0: 0 * 3 + -1 * 5
  EXPECT_EQ(out[1], 42);  // ox 0, f1: 4 * 3 + 6 * 5
  EXPECT_EQ(out[2], 6);   // ox 1, f0: 2 * 3 + 0 * 5
  EXPECT_EQ(out[3], 20);  // ox 1, f1: 0 * 3 + 4 * 5
}

TEST(DepthwiseConv2dS4, MultiplierTwoLayout) {
  // 1x1x2 image, 1x1 kernel, M = 2: output o sees channel o / 2; w[o].
  const int8_t input[2] = {2, -3};
  const tml_conv_shape s = conv_shape(1, 1, 2, 1, 1, 4, 1, 1, 1, 1, 0, 0);
  const std::vector<uint8_t> w = pack4({7, -8, 1, -1});
  const tml_requant unit[4] = {rq(kHalf, 1), rq(kHalf, 1), rq(kHalf, 1), rq(kHalf, 1)};
  const tml_q8_params p = q8(0, 0, -128, 127);
  int8_t out[4];
  tml_depthwise_conv2d_s4(input, &s, w.data(), nullptr, unit, &p, out);
  EXPECT_EQ(out[0], 14);
  EXPECT_EQ(out[1], -16);
  EXPECT_EQ(out[2], -3);
  EXPECT_EQ(out[3], 3);
}

TEST(Conv2dW8, ScalesEachFilter) {
  // 1x1x2 image, 1x1 kernel, 2 filters: out[f] = bias[f] + scales[f] * sum x * w.
  const float input[2] = {1.5f, -2.0f};
  const tml_conv_shape s = conv_shape(1, 1, 2, 1, 1, 2, 1, 1, 1, 1, 0, 0);
  const int8_t w[4] = {10, -20, 127, 0};
  const float scales[2] = {0.5f, 0.01f};
  const float bias[2] = {1.0f, -1.0f};
  float out[2];
  tml_conv2d_w8(input, &s, w, scales, bias, -kNone, kNone, out);
  EXPECT_FLOAT_EQ(out[0], 1.0f + 0.5f * 55.0f);
  EXPECT_FLOAT_EQ(out[1], -1.0f + 0.01f * 190.5f);
}

TEST(DepthwiseConv2dF16w, HalvesAreDecodedExactly) {
  // 1x1x2 image, 1x1 kernel, M = 1: 1.0 and -2.0 as binary16 (0x3C00, 0xC000).
  const float input[2] = {3.0f, 0.25f};
  const tml_conv_shape s = conv_shape(1, 1, 2, 1, 1, 2, 1, 1, 1, 1, 0, 0);
  const uint16_t w[2] = {0x3C00, 0xC000};
  const float bias[2] = {0.5f, 0.0f};
  float out[2];
  tml_depthwise_conv2d_f16w(input, &s, w, bias, -kNone, kNone, out);
  EXPECT_EQ(out[0], 3.5f);
  EXPECT_EQ(out[1], -0.5f);
}

// ---------------------------------------------------------------- random

enum class Format { kS4, kCodebook, kSparse };

// Random int8-activation cases: the weights drawn in the format's domain,
// encoded, run through the kernel and compared with the reference on the
// dense int8 weights.
void random_compressed_s8(Format format, bool depthwise, unsigned seed) {
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 400; ++iter) {
    const tml_conv_shape s = tml_test::random_conv_shape(rng, depthwise);
    std::vector<int8_t> input(sz(s.in_h * s.in_w * s.in_c));
    std::vector<int8_t> dense(sz(tml_test::conv_weight_count(s, depthwise)));
    std::vector<int32_t> bias(sz(s.out_c));
    std::vector<tml_requant> requant(sz(s.out_c));
    for (auto& v : input) v = tml_test::rand_s8(rng);
    for (auto& v : bias) v = tml_test::rand_int(rng, -20000, 20000);
    for (auto& r : requant) r = rq(tml_test::rand_multiplier(rng), tml_test::rand_int(rng, -12, 0));
    const bool use_bias = iter % 5 != 0;
    const int32_t out_zp = tml_test::rand_int(rng, -128, 127);
    int32_t act_min = 0, act_max = 0;
    tml_test::rand_clamp(rng, out_zp, act_min, act_max);
    const tml_q8_params p = q8(tml_test::rand_int(rng, -128, 127), out_zp, act_min, act_max);
    const int32_t* b = use_bias ? bias.data() : nullptr;
    std::vector<int8_t> out(sz(s.out_h * s.out_w * s.out_c), 0x55);

    if (format == Format::kS4) {
      std::vector<int> nibbles(dense.size());
      for (size_t i = 0; i < dense.size(); ++i) nibbles[i] = dense[i] = tml_test::rand_s8(rng, -8, 7);
      const std::vector<uint8_t> packed = pack4(nibbles);
      if (depthwise) tml_depthwise_conv2d_s4(input.data(), &s, packed.data(), b, requant.data(), &p, out.data());
      else tml_conv2d_s4(input.data(), &s, packed.data(), b, requant.data(), &p, out.data());
    } else if (format == Format::kCodebook) {
      std::vector<int8_t> codebook(16);
      for (auto& v : codebook) v = tml_test::rand_s8(rng);
      std::vector<int> indices(dense.size());
      for (size_t i = 0; i < dense.size(); ++i) {
        indices[i] = tml_test::rand_int(rng, 0, 15);
        dense[i] = codebook[sz(indices[i])];
      }
      const std::vector<uint8_t> packed = pack4(indices);
      if (depthwise) {
        tml_depthwise_conv2d_codebook_s8(input.data(), &s, packed.data(), codebook.data(), b, requant.data(), &p,
                                         out.data());
      } else {
        tml_conv2d_codebook_s8(input.data(), &s, packed.data(), codebook.data(), b, requant.data(), &p, out.data());
      }
    } else {
      const int density = tml_test::rand_int(rng, 0, 100);
      for (auto& v : dense) v = tml_test::rand_int(rng, 0, 99) < density ? tml_test::rand_s8(rng, -127, 127) : 0;
      std::vector<uint8_t> mask;
      std::vector<int8_t> values;
      encode_sparse(dense, &mask, &values);
      values.push_back(0);  // a valid pointer when every weight is zero
      tml_conv2d_sparse_s8(input.data(), &s, mask.data(), values.data(), b, requant.data(), &p, out.data());
    }

    for (int oy = 0; oy < s.out_h; ++oy) {
      for (int ox = 0; ox < s.out_w; ++ox) {
        for (int o = 0; o < s.out_c; ++o) {
          int64_t acc = tml_test::reference_acc<int8_t, int64_t>(input, s, dense, depthwise, oy, ox, o,
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

TEST(Conv2dS4, RandomMatchesReference) { random_compressed_s8(Format::kS4, false, 21); }
TEST(DepthwiseConv2dS4, RandomMatchesReference) { random_compressed_s8(Format::kS4, true, 22); }
TEST(Conv2dCodebookS8, RandomMatchesReference) { random_compressed_s8(Format::kCodebook, false, 23); }
TEST(DepthwiseConv2dCodebookS8, RandomMatchesReference) { random_compressed_s8(Format::kCodebook, true, 24); }
TEST(Conv2dSparseS8, RandomMatchesReference) { random_compressed_s8(Format::kSparse, false, 25); }

// Random float cases: float16 weights give exactly the f32 kernel's output on
// the decoded weights; weight-only int8 exactly bias + scale * (the f32
// kernel's sum over the int8 values as floats, no bias, no clamp), clamped.
void random_float_weights(bool depthwise, unsigned seed) {
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 300; ++iter) {
    const tml_conv_shape s = tml_test::random_conv_shape(rng, depthwise);
    const size_t outputs = sz(s.out_h * s.out_w * s.out_c);
    std::vector<float> input(sz(s.in_h * s.in_w * s.in_c)), bias(sz(s.out_c)), scales(sz(s.out_c));
    const size_t count = sz(tml_test::conv_weight_count(s, depthwise));
    std::vector<uint16_t> halves(count);
    std::vector<int8_t> ints(count);
    for (auto& v : input) v = tml_test::rand_float(rng, -2.0f, 2.0f);
    for (auto& v : bias) v = tml_test::rand_float(rng, -1.0f, 1.0f);
    for (auto& v : scales) v = tml_test::rand_float(rng, 0.001f, 0.05f);
    // Normal and subnormal halves of magnitude below 2, and int8 values.
    for (auto& h : halves) {
      h = static_cast<uint16_t>(tml_test::rand_int(rng, 0, 1) << 15 | tml_test::rand_int(rng, 0, 15) << 10 |
                                tml_test::rand_int(rng, 0, 1023));
    }
    for (auto& v : ints) v = tml_test::rand_s8(rng, -127, 127);
    float act_min = -kNone, act_max = kNone;
    if (iter % 3 == 1) act_min = 0.0f;
    if (iter % 3 == 2) act_max = 0.5f;
    const float* b = iter % 5 != 0 ? bias.data() : nullptr;

    std::vector<float> decoded(count), as_float(count);
    for (size_t i = 0; i < count; ++i) decoded[i] = static_cast<float>(tml_test::half_value(halves[i]));
    for (size_t i = 0; i < count; ++i) as_float[i] = static_cast<float>(ints[i]);
    std::vector<float> f16w(outputs), f32(outputs), w8(outputs), sums(outputs);
    if (depthwise) {
      tml_depthwise_conv2d_f16w(input.data(), &s, halves.data(), b, act_min, act_max, f16w.data());
      tml_depthwise_conv2d_f32(input.data(), &s, decoded.data(), b, act_min, act_max, f32.data());
      tml_depthwise_conv2d_w8(input.data(), &s, ints.data(), scales.data(), b, act_min, act_max, w8.data());
      tml_depthwise_conv2d_f32(input.data(), &s, as_float.data(), nullptr, -kNone, kNone, sums.data());
    } else {
      tml_conv2d_f16w(input.data(), &s, halves.data(), b, act_min, act_max, f16w.data());
      tml_conv2d_f32(input.data(), &s, decoded.data(), b, act_min, act_max, f32.data());
      tml_conv2d_w8(input.data(), &s, ints.data(), scales.data(), b, act_min, act_max, w8.data());
      tml_conv2d_f32(input.data(), &s, as_float.data(), nullptr, -kNone, kNone, sums.data());
    }
    for (size_t k = 0; k < outputs; ++k) {
      ASSERT_EQ(f16w[k], f32[k]) << "iter " << iter << " output " << k;
      const size_t o = k % sz(s.out_c);
      // volatile: no fused multiply-add here (the kernels build with -ffp-contract=off).
      const volatile float scaled = scales[o] * sums[k];
      const float acc = (b ? b[o] : 0.0f) + scaled;
      ASSERT_EQ(w8[k], std::clamp(acc, act_min, act_max)) << "iter " << iter << " output " << k;
    }
  }
}

TEST(Conv2dFloatWeights, F16wAndW8MatchTheF32Kernel) { random_float_weights(false, 26); }
TEST(DepthwiseConv2dFloatWeights, F16wAndW8MatchTheF32Kernel) { random_float_weights(true, 27); }

}  // namespace

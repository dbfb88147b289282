// tml_conv_dsp.h: the Cortex-M DSP Conv2D and DepthwiseConv2D give the
// reference kernels' integers. On the host it runs on tml_arm_dsp.h's plain-C instructions; under
// QEMU on the real ones (tests/deploy: every int8 CNN verified on cortex-m4).
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "conv_reference.h"
#include "reference.h"
#include "tml_conv.h"
#include "tml_conv_dsp.h"

namespace {

using tml_test::rand_int;
using tml_test::sz;

using ConvS8 = void (*)(const int8_t*, const tml_conv_shape*, const int8_t*, const int32_t*, const int32_t*,
                        const tml_q8_params*, int8_t*);

// The outputs of a reference kernel and its DSP twin on one case.
struct ConvCase {
  tml_conv_shape shape;
  std::vector<int8_t> input, weights;
  std::vector<int32_t> bias, requant;
  tml_q8_params params;
  bool with_bias = true;

  void expect_reference_integers(const std::string& what, ConvS8 reference = tml_conv2d_s8,
                                 ConvS8 dsp = tml_conv2d_s8_dsp) const {
    const size_t outputs = sz(shape.out_h * shape.out_w * shape.out_c);
    std::vector<int8_t> expected(outputs, 0x55), actual(outputs, 0x33);
    const int32_t* b = with_bias ? bias.data() : nullptr;
    reference(input.data(), &shape, weights.data(), b, requant.data(), &params, expected.data());
    dsp(input.data(), &shape, weights.data(), b, requant.data(), &params, actual.data());
    ASSERT_EQ(actual, expected) << what;
  }
};

// A random case: kernels 1x1 to 4x4 over images up to 7x7, strides 1 to 3,
// padding below the kernel size on every side, {in_c, out_c} from `channels`
// (drawn after the geometry), random bytes, biases, requantization (shifts -31
// to 1), zero points and clamp. False when the geometry has no output.
template <typename Channels>
bool random_case(std::mt19937& rng, bool depthwise, Channels channels, ConvCase& c) {
  const int kernel_h = rand_int(rng, 1, 4), kernel_w = rand_int(rng, 1, 4);
  const int in_h = rand_int(rng, 1, 7), in_w = rand_int(rng, 1, 7);
  const int stride_h = rand_int(rng, 1, 3), stride_w = rand_int(rng, 1, 3);
  const int pad_top = rand_int(rng, 0, kernel_h - 1), pad_left = rand_int(rng, 0, kernel_w - 1);
  const int span_h = in_h + pad_top + rand_int(rng, 0, kernel_h - 1) - kernel_h;
  const int span_w = in_w + pad_left + rand_int(rng, 0, kernel_w - 1) - kernel_w;
  if (span_h < 0 || span_w < 0) return false;
  const auto [in_c, out_c] = channels();
  c.shape = tml_test::conv_shape(in_h, in_w, in_c, span_h / stride_h + 1, span_w / stride_w + 1, out_c, kernel_h,
                                 kernel_w, stride_h, stride_w, pad_top, pad_left);
  c.input.resize(sz(in_h * in_w * in_c));
  c.weights.resize(sz(tml_test::conv_weight_count(c.shape, depthwise)));
  for (auto& x : c.input) x = tml_test::rand_s8(rng);
  for (auto& w : c.weights) w = tml_test::rand_s8(rng);
  for (int f = 0; f < c.shape.out_c; ++f) {
    c.bias.push_back(rand_int(rng, -100000, 100000));
    c.requant.push_back(tml_pack_requant(tml_test::rq(tml_test::rand_multiplier(rng), rand_int(rng, -31, 1))));
  }
  const int32_t output_zero_point = rand_int(rng, -128, 127);
  int32_t act_min = 0, act_max = 0;
  tml_test::rand_clamp(rng, output_zero_point, act_min, act_max);
  c.params = tml_test::q8(rand_int(rng, -128, 127), output_zero_point, act_min, act_max);
  return true;
}

// 1,500 random geometries: 1 to 9 channels in and out (runs of a kernel row
// not a multiple of 4; one to three channels after the groups of four), one
// in ten with 25 to 40 input channels (filters beyond the 256 bytes that are
// gathered, read in place), kernels 1x1 to 4x4, strides 1 to 3, padding up to
// the kernel size on every side, every zero point, shifts from -31 to 1.
TEST(Conv2dS8Dsp, GivesTheReferenceIntegersOnRandomShapes) {
  std::mt19937 rng(1818);
  for (int iter = 0; iter < 1500; ++iter) {
    ConvCase c;
    const auto channels = [&] {
      const int in_c = iter % 10 == 0 ? rand_int(rng, 25, 40) : rand_int(rng, 1, 9);
      return std::pair{in_c, rand_int(rng, 1, 9)};
    };
    if (!random_case(rng, false, channels, c)) continue;
    c.with_bias = iter % 5 != 0;
    c.expect_reference_integers("iter " + std::to_string(iter));
  }
}

// The largest products: (x - zero_point) = -255 against weights of -128 or
// 127, a 3x3 kernel over 16 channels (144 taps per output), same padding.
TEST(Conv2dS8Dsp, ExtremeProductsGiveTheReferenceIntegers) {
  ConvCase c;
  c.shape = tml_test::conv_shape(5, 5, 16, 5, 5, 6, 3, 3, 1, 1, 1, 1);
  c.input.assign(5 * 5 * 16, -128);
  for (int i = 0; i < tml_test::conv_weight_count(c.shape, false); ++i) c.weights.push_back(i % 3 ? -128 : 127);
  c.bias.assign(6, 0);
  c.requant.assign(6, tml_pack_requant(tml_test::rq(tml_test::kHalf, -14)));
  c.params = tml_test::q8(127, 0, -128, 127);
  c.expect_reference_integers("extreme");
}

// 1,500 random depthwise geometries: 1 to 13 channels (groups of four and the
// last one to three), a multiplier of 1 in three of four cases (else 2 or 3:
// every channel alone), kernels up to 4x4, strides 1 to 3, padding, every zero
// point and shift.
TEST(DepthwiseConv2dS8Dsp, GivesTheReferenceIntegersOnRandomShapes) {
  std::mt19937 rng(1819);
  for (int iter = 0; iter < 1500; ++iter) {
    ConvCase c;
    const auto channels = [&] {
      const int in_c = rand_int(rng, 1, 13), multiplier = iter % 4 == 0 ? rand_int(rng, 2, 3) : 1;
      return std::pair{in_c, in_c * multiplier};
    };
    if (!random_case(rng, true, channels, c)) continue;
    c.with_bias = iter % 5 != 0;
    c.expect_reference_integers("iter " + std::to_string(iter), tml_depthwise_conv2d_s8, tml_depthwise_conv2d_s8_dsp);
  }
}

}  // namespace

// tml_fully_connected_dsp.h: the Cortex-M DSP kernel gives the reference
// kernel's integers. On the host it runs on tml_arm_dsp.h's plain-C
// instructions, checked here against their definitions; under QEMU on the real
// instructions (tests/deploy: every int8 model verified on cortex-m4).
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "fully_connected_cases.h"
#include "reference.h"
#include "tml_arm_dsp.h"
#include "tml_fully_connected.h"
#include "tml_fully_connected_dsp.h"

namespace {

using tml_test::q8;
using tml_test::sz;

TEST(ArmDspInstructions, PlainCMatchesTheirDefinitions) {
  // Bytes 0..3 of 0x80FF7F01: 0x01, 0x7F, 0xFF, 0x80 = 1, 127, -1, -128.
  const uint32_t word = 0x80FF7F01u;
  EXPECT_EQ(tml_dsp_sxtb16(word), 0xFFFF0001u);                          // (1, -1)
  EXPECT_EQ(tml_dsp_sxtb16_ror8(word), 0xFF80007Fu);                     // (127, -128)
  EXPECT_EQ(tml_dsp_sxtab16(0x00020003u, word), 0x00010004u);            // (3 + 1, 2 - 1)
  EXPECT_EQ(tml_dsp_sxtab16_ror8(0x00FF00FFu, word), 0x007F017Eu);       // (255 + 127, 255 - 128)
  EXPECT_EQ(tml_dsp_sxtab16(0xFF01FF01u, 0x80008000u), 0xFF01FF01u);     // -255 + 0 in each lane
  EXPECT_EQ(tml_dsp_smlad(0xFF01FF01u, 0x00800080u, 7), 7 - 2 * 255 * 128);  // (-255 * 128) twice
  EXPECT_EQ(tml_dsp_ror8(0x11223344u), 0x44112233u);
  const int8_t bytes[6] = {1, 2, 3, 4, 5, 6};
  EXPECT_EQ(tml_dsp_load4(bytes + 1), 0x05040302u);  // unaligned, little-endian
}

// tml_dsp_requantize's three-instruction paths (shift -1 and <= -2) and its
// 64-bit one give tml_requantize's value for every shift, extreme and random
// accumulators and multipliers (the plain-C SMMUL, SMMULR and ASR here; the
// instructions under QEMU in tests/deploy).
TEST(ArmDspRequantize, GivesTheReferenceValueForEveryShift) {
  std::mt19937 rng(1818);
  std::vector<int32_t> accumulators{INT32_MIN, INT32_MIN + 1, -65536, -1, 0, 1, 65535, INT32_MAX - 1, INT32_MAX};
  for (int i = 0; i < 200; ++i) accumulators.push_back(tml_test::rand_int(rng, INT32_MIN, INT32_MAX));
  for (int shift = -31; shift <= 30; ++shift) {
    std::vector<int32_t> multipliers{0, tml_test::kHalf, INT32_MAX & ~0x7F};
    for (int i = 0; i < 20; ++i) multipliers.push_back(tml_test::rand_multiplier(rng));
    for (const int32_t multiplier : multipliers) {
      const tml_requant r = tml_test::rq(multiplier, shift);
      for (const int32_t acc : accumulators) {
        ASSERT_EQ(tml_dsp_requantize(acc, r), tml_requantize(acc, r))
            << "acc " << acc << ", multiplier " << multiplier << ", shift " << shift;
        const tml_q8_params params = q8(0, -5, -128, 127);
        const int32_t packed = tml_pack_requant(r);
        ASSERT_EQ(tml_dsp_output_s8(acc, packed, &params), tml_output_s8(acc, tml_unpack_requant(packed), &params));
      }
    }
  }
}

TEST(FullyConnectedS8Dsp, GivesTheReferenceIntegersOnRandomShapes) {
  tml_test::expect_reference_integers_on_random_shapes(tml_fully_connected_s8_dsp, 18);
}

// The largest products: (x - zero_point) = -255 against weight -128, 64 of them
// per output (2,088,960, far inside int32), and the sign flipped.
TEST(FullyConnectedS8Dsp, ExtremeProductsGiveTheReferenceIntegers) {
  const int in_features = 64, out_features = 3;
  std::vector<int8_t> input(sz(in_features), -128), weights(sz(in_features * out_features), -128);
  for (int i = 0; i < in_features; ++i) weights[sz(in_features + i)] = 127;
  for (int i = 0; i < in_features; ++i) weights[sz(2 * in_features + i)] = i % 2 ? 127 : -128;
  const std::vector<int32_t> requant(sz(out_features), tml_pack_requant(tml_test::rq(tml_test::kHalf, -14)));
  const tml_q8_params params = q8(127, 0, -128, 127);
  std::vector<int8_t> expected(sz(out_features)), actual(sz(out_features));
  tml_fully_connected_s8(input.data(), in_features, weights.data(), nullptr, out_features, requant.data(), &params,
                         expected.data());
  tml_fully_connected_s8_dsp(input.data(), in_features, weights.data(), nullptr, out_features, requant.data(),
                             &params, actual.data());
  // m = 2^-15: 2,088,960 -> 63.75 -> 64; -2,072,640 -> -63.25 -> -63; 32 * 255 = 8160 -> 0.249 -> 0.
  EXPECT_EQ(expected, (std::vector<int8_t>{64, -63, 0}));
  EXPECT_EQ(actual, expected);
}

}  // namespace

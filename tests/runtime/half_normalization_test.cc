// quant_math.h: round_normalization_to_half and normalization_is_half.
#include <gtest/gtest.h>

#include <cmath>

#include "tinymlops/runtime/quant_math.h"

namespace tinymlops {
namespace {

Normalization standard(std::initializer_list<float> offsets, std::initializer_list<float> scales) {
  Normalization n;
  n.kind = NormalizationKind::kStandard;
  n.offset = Eigen::Map<const Eigen::VectorXf>(offsets.begin(), static_cast<Eigen::Index>(offsets.size()));
  n.scale = Eigen::Map<const Eigen::VectorXf>(scales.begin(), static_cast<Eigen::Index>(scales.size()));
  return n;
}

TEST(HalfNormalization, RoundsToTheNearestBinary16AndIsThenExact) {
  Normalization n = standard({0.0f, 0.306592524f, 11.832407f, -3.0f}, {1.0f, 1.11118448f, 0.234077767f, 35.4964905f});
  EXPECT_FALSE(normalization_is_half(n));
  const Normalization before = n;
  round_normalization_to_half(n);
  EXPECT_TRUE(normalization_is_half(n));
  for (Eigen::Index i = 0; i < n.offset.size(); ++i) {
    // Nearest binary16: within half a unit in the 11th significant bit.
    EXPECT_LE(std::fabs(n.offset[i] - before.offset[i]), std::fabs(before.offset[i]) * 0x1p-11f);
    EXPECT_LE(std::fabs(n.scale[i] - before.scale[i]), std::fabs(before.scale[i]) * 0x1p-11f);
    EXPECT_EQ(tml_f16_to_f32(float_to_half(n.offset[i])), n.offset[i]);
  }
  EXPECT_EQ(n.offset[0], 0.0f);
  EXPECT_EQ(n.offset[3], -3.0f);  // already a binary16 value
  EXPECT_EQ(n.scale[0], 1.0f);
  EXPECT_EQ(n.offset[2], 11.8359375f);  // 11.832407 to 11 bits
}

TEST(HalfNormalization, LeavesEverythingWhenOneValueHasNoNormalBinary16) {
  for (float bad : {1.0e5f, 70000.0f, 1.0e-6f, -2.0e-5f, 1.0e-9f}) {  // beyond 65504, subnormal, or 0 in binary16
    Normalization n = standard({1.5f, 0.3f}, {0.25f, bad});
    const Normalization before = n;
    round_normalization_to_half(n);
    EXPECT_EQ(n.offset, before.offset) << bad;
    EXPECT_EQ(n.scale, before.scale) << bad;
    EXPECT_FALSE(normalization_is_half(n)) << bad;
  }
  Normalization none;
  round_normalization_to_half(none);
  EXPECT_FALSE(normalization_is_half(none));
}

}  // namespace
}  // namespace tinymlops

// quant_math.h: requant_from_real rounds the multiplier to the 24 bits that
// the kernels' packed constants keep (tml_pack_requant).
#include <gtest/gtest.h>

#include <cmath>

#include "tinymlops/runtime/quant_math.h"

namespace tinymlops {
namespace {

TEST(RequantFromReal, TwentyFourBitMultiplierWithinHalfAnUlpOfFloat32) {
  for (double m : {0.5, 1.0 / 3, 0.0123456789, 3.7e-5, 0.999999999, 1.5, 1e-9, 0.75 + 1e-12}) {
    const tml_requant r = requant_from_real(m);
    EXPECT_GE(r.multiplier, 1 << 30) << m;
    EXPECT_EQ(r.multiplier % 128, 0) << m;  // low 7 bits free for the shift
    EXPECT_GE(r.shift, -31);
    EXPECT_LE(r.shift, 30);
    const double back = std::ldexp(static_cast<double>(r.multiplier), r.shift - 31);
    EXPECT_LE(std::abs(back - m), m * std::ldexp(1.0, -24)) << m;
    const int32_t packed[1] = {tml_pack_requant(r)};
    EXPECT_EQ(tml_load_requant(packed, 0).multiplier, r.multiplier);
    EXPECT_EQ(tml_load_requant(packed, 0).shift, r.shift);
  }
  // A mantissa that rounds up to 1 moves to the next power of two.
  const tml_requant up = requant_from_real(1.0 - 1e-12);
  EXPECT_EQ(up.multiplier, 1 << 30);
  EXPECT_EQ(up.shift, 1);
  EXPECT_EQ(requant_from_real(0).multiplier, 0);
  EXPECT_EQ(requant_from_real(0).shift, 0);
}

}  // namespace
}  // namespace tinymlops

#include "fl/shamir.h"

#include <gtest/gtest.h>

#include "tinymlops/core/error.h"
#include "tinymlops/core/rng.h"

namespace tinymlops::fl::shamir {
namespace {

std::function<void(uint8_t*, size_t)> random_from(Rng& rng) {
  return [&rng](uint8_t* out, size_t size) {
    for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(rng.next_u64());
  };
}

TEST(FlShamir, FieldMultiplicationIsTheAesField) {
  EXPECT_EQ(gf_mul(0x57, 0x83), 0xc1);  // FIPS-197, section 4.2
  EXPECT_EQ(gf_mul(0x57, 0x13), 0xfe);
  for (unsigned a = 0; a < 256; ++a) {
    EXPECT_EQ(gf_mul(static_cast<uint8_t>(a), 1), a);
    EXPECT_EQ(gf_mul(static_cast<uint8_t>(a), 0), 0);
    for (unsigned b = 0; b < 256; b += 37) {
      EXPECT_EQ(gf_mul(static_cast<uint8_t>(a), static_cast<uint8_t>(b)), gf_mul(static_cast<uint8_t>(b), static_cast<uint8_t>(a)));
    }
  }
}

TEST(FlShamir, AnyThresholdSharesRebuildTheSecretAndFewerDoNot) {
  Rng rng(11);
  Secret secret;
  for (uint8_t& b : secret) b = static_cast<uint8_t>(rng.next_u64());
  const std::vector<uint8_t> xs = {1, 2, 3, 4, 5, 6, 7, 200, 255};
  const std::vector<Share> shares = split(secret, 4, xs, random_from(rng));
  ASSERT_EQ(shares.size(), xs.size());
  for (int trial = 0; trial < 30; ++trial) {
    std::vector<Share> pick = shares;
    rng.shuffle(pick);
    pick.resize(4);
    EXPECT_EQ(combine(pick), secret);
    pick.resize(3);
    EXPECT_NE(combine(pick), secret);
  }
  EXPECT_THROW(combine({}), Error);
  EXPECT_THROW(combine({shares[0], shares[0]}), Error);
  EXPECT_THROW(split(secret, 10, xs, random_from(rng)), Error);
}

// With threshold t, t - 1 shares are uniform whatever the secret: for one byte, every
// value of a share at x = 1 appears equally often over the random polynomials.
TEST(FlShamir, ASingleShareBelowThresholdIsUniform) {
  Rng rng(3);
  Secret zero{};
  std::vector<int> counts(256, 0);
  for (int trial = 0; trial < 25600; ++trial) {
    counts[split(zero, 2, {1, 2}, random_from(rng))[0].y[0]]++;
  }
  double chi = 0;
  for (int c : counts) chi += (c - 100.0) * (c - 100.0) / 100.0;
  EXPECT_LT(chi, 330.5);  // 255 degrees of freedom, 0.1% critical value
}

}  // namespace
}  // namespace tinymlops::fl::shamir

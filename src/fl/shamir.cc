#include "shamir.h"

#include <sodium.h>

#include <string>

#include "tinymlops/core/error.h"

namespace tinymlops::fl::shamir {

uint8_t gf_mul(uint8_t a, uint8_t b) {
  unsigned product = 0, x = a, y = b;
  for (int bit = 0; bit < 8; ++bit) {
    product ^= (0u - (y & 1u)) & x;              // add x when the low bit of y is set
    const unsigned carry = x >> 7;
    x = ((x << 1) ^ ((0u - carry) & 0x1bu)) & 0xffu;  // x *= 2, reduced
    y >>= 1;
  }
  return static_cast<uint8_t>(product);
}

namespace {

// a^254 = a^-1 for a != 0.
uint8_t gf_inverse(uint8_t a) {
  uint8_t result = 1, power = a;
  for (unsigned exponent = 254; exponent != 0; exponent >>= 1) {
    if (exponent & 1u) result = gf_mul(result, power);
    power = gf_mul(power, power);
  }
  return result;
}

}  // namespace

std::vector<Share> split(const Secret& secret, uint32_t threshold, const std::vector<uint8_t>& xs,
                         const std::function<void(uint8_t*, size_t)>& random) {
  if (threshold < 1 || threshold > xs.size()) {
    throw Error(ErrorKind::kInvalid, "", "Shamir threshold " + std::to_string(threshold) + " with " +
                                             std::to_string(xs.size()) + " shares");
  }
  // coefficients[k][byte]: the x^(k+1) coefficient of the byte's polynomial.
  std::vector<Secret> coefficients(threshold - 1);
  for (Secret& c : coefficients) random(c.data(), c.size());
  std::vector<Share> shares;
  for (uint8_t x : xs) {
    Share share;
    share.x = x;
    for (size_t byte = 0; byte < secret.size(); ++byte) {
      // Horner: ((c_{t-1} x + c_{t-2}) x + ...) x + secret.
      uint8_t value = 0;
      for (size_t k = coefficients.size(); k > 0; --k) value = gf_mul(value, x) ^ coefficients[k - 1][byte];
      share.y[byte] = gf_mul(value, x) ^ secret[byte];
    }
    shares.push_back(share);
  }
  for (Secret& c : coefficients) sodium_memzero(c.data(), c.size());
  return shares;
}

Secret combine(const std::vector<Share>& shares) {
  if (shares.empty()) throw Error(ErrorKind::kInvalid, "", "no Shamir shares to combine");
  Secret secret{};
  for (size_t i = 0; i < shares.size(); ++i) {
    if (shares[i].x == 0) throw Error(ErrorKind::kInvalid, "", "a Shamir share has x = 0");
    // Lagrange basis at 0: prod_{j != i} x_j / (x_j - x_i); minus is XOR in GF(2^8).
    uint8_t numerator = 1, denominator = 1;
    for (size_t j = 0; j < shares.size(); ++j) {
      if (j == i) continue;
      if (shares[j].x == shares[i].x) {
        throw Error(ErrorKind::kInvalid, "", "two Shamir shares have x = " + std::to_string(shares[i].x));
      }
      numerator = gf_mul(numerator, shares[j].x);
      denominator = gf_mul(denominator, static_cast<uint8_t>(shares[j].x ^ shares[i].x));
    }
    const uint8_t basis = gf_mul(numerator, gf_inverse(denominator));
    for (size_t byte = 0; byte < secret.size(); ++byte) secret[byte] ^= gf_mul(basis, shares[i].y[byte]);
  }
  return secret;
}

}  // namespace tinymlops::fl::shamir

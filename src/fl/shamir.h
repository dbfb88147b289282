// Shamir secret sharing of 32-byte secrets over GF(2^8), byte by byte.
//
// Each byte of the secret is the constant term of its own random polynomial of
// degree threshold - 1 over GF(2^8) (the AES field, x^8 + x^4 + x^3 + x + 1); a
// share is the 32 polynomials evaluated at one nonzero x. Any `threshold` shares
// rebuild the secret by Lagrange interpolation at 0; fewer reveal nothing about it.
// So at most 255 shares exist per secret. libsodium has no secret sharing.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

namespace tinymlops::fl::shamir {

using Secret = std::array<uint8_t, 32>;

struct Share {
  uint8_t x = 0;  // nonzero
  Secret y{};
};

// Multiplication in GF(2^8), without secret-dependent branches or tables.
uint8_t gf_mul(uint8_t a, uint8_t b);

// Shares of `secret` at each of `xs` (distinct, nonzero). `random` fills the
// polynomials' coefficients. REQUIRES: 1 <= threshold <= xs.size().
std::vector<Share> split(const Secret& secret, uint32_t threshold, const std::vector<uint8_t>& xs,
                         const std::function<void(uint8_t*, size_t)>& random);

// The secret whose polynomial passes through all `shares` (pass exactly the
// threshold's count). Throws Error(kInvalid) for an empty list, a zero x or a
// repeated x.
Secret combine(const std::vector<Share>& shares);

}  // namespace tinymlops::fl::shamir

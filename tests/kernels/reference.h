// Independent reference arithmetic for the kernel tests (tests/kernels/*).
//
// Written from the contracts in kernels/*.h, not from the kernel sources: the
// requantization is done in 128-bit integers as an exact rational rounding,
// and every op is a plain nested loop over the documented layouts.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>

#include "requant_arrays.h"
#include "tml_common.h"

namespace tml_test {

// Shared constants and helpers of the kernel tests.
constexpr int32_t kHalf = int32_t{1} << 30;  // a requant multiplier M = 2^30: m = 2^(shift - 1)
constexpr float kNone = 3.4e38f;             // a float clamp bound that never applies
inline size_t sz(int n) { return static_cast<size_t>(n); }

// binary16 by its definition: (-1)^s * 2^(e-15) * 1.m, or 2^-14 * 0.m (normal
// and subnormal values).
inline double half_value(uint16_t h) {
  const int sign = h >> 15, exponent = (h >> 10) & 0x1F, mantissa = h & 0x3FF;
  const double magnitude = exponent == 0 ? std::ldexp(mantissa, -24) : std::ldexp(1024 + mantissa, exponent - 25);
  return sign ? -magnitude : magnitude;
}

// Parameter structs of the kernels, built field by field.
inline tml_requant rq(int32_t multiplier, int32_t shift) {
  tml_requant r;
  r.multiplier = multiplier;
  r.shift = shift;
  return r;
}

inline tml_q8_params q8(int32_t in_zp, int32_t out_zp, int32_t act_min, int32_t act_max) {
  tml_q8_params p;
  p.input_zero_point = in_zp;
  p.output_zero_point = out_zp;
  p.act_min = act_min;
  p.act_max = act_max;
  return p;
}

__extension__ typedef __int128 i128;

// floor(num / 2^n) for any sign of num, by truncating division plus a fix-up
// (no shifts of negative values).
inline i128 floor_div_pow2(i128 num, int n) {
  const i128 d = static_cast<i128>(1) << n;
  i128 q = num / d;
  if (num % d != 0 && num < 0) q -= 1;
  return q;
}

// round(acc * multiplier / 2^(31 - shift)) with ties toward +infinity,
// saturated to int32: floor((2 * acc * M + 2^n) / 2^(n + 1)), n = 31 - shift.
// Any int64 accumulator (the product needs at most 94 bits).
inline int32_t requantize_wide(int64_t acc, int32_t multiplier, int32_t shift) {
  const int n = 31 - shift;
  const i128 num = 2 * static_cast<i128>(acc) * static_cast<i128>(multiplier) + (static_cast<i128>(1) << n);
  const i128 q = floor_div_pow2(num, n + 1);
  if (q > std::numeric_limits<int32_t>::max()) return std::numeric_limits<int32_t>::max();
  if (q < std::numeric_limits<int32_t>::min()) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(q);
}

inline int32_t requantize(int32_t acc, int32_t multiplier, int32_t shift) {
  return requantize_wide(acc, multiplier, shift);
}

// int16x8: clamp(requantize(acc), act_min, act_max) with a 64-bit accumulator.
inline int16_t output_s16(int64_t acc, int32_t multiplier, int32_t shift, int32_t act_min, int32_t act_max) {
  return static_cast<int16_t>(std::clamp<int32_t>(requantize_wide(acc, multiplier, shift), act_min, act_max));
}

inline tml_q16_params q16(int32_t act_min, int32_t act_max) {
  tml_q16_params p;
  p.act_min = act_min;
  p.act_max = act_max;
  return p;
}

// clamp(output_zero_point + requantize(acc), act_min, act_max), in 64 bits.
inline int8_t output_s8(int64_t acc, int32_t multiplier, int32_t shift, int32_t output_zero_point, int32_t act_min,
                        int32_t act_max) {
  const int64_t q = static_cast<int64_t>(output_zero_point) +
                    requantize(static_cast<int32_t>(acc), multiplier, shift);
  return static_cast<int8_t>(std::clamp<int64_t>(q, act_min, act_max));
}

inline int rand_int(std::mt19937& rng, int low, int high) {
  return std::uniform_int_distribution<int>(low, high)(rng);
}

inline int8_t rand_s8(std::mt19937& rng, int low = -128, int high = 127) {
  return static_cast<int8_t>(rand_int(rng, low, high));
}

inline int16_t rand_s16(std::mt19937& rng, int low = -32768, int high = 32767) {
  return static_cast<int16_t>(rand_int(rng, low, high));
}

// An int64 of random magnitude: |value| < 2^bits with bits uniform in [0, max_bits].
inline int64_t rand_s64(std::mt19937& rng, int max_bits = 63) {
  const int bits = rand_int(rng, 0, max_bits);
  const uint64_t raw = (static_cast<uint64_t>(rng()) << 32) | rng();
  const uint64_t magnitude = bits == 64 ? raw : raw & ((uint64_t{1} << bits) - 1);
  const bool negative = rng() & 1;
  if (bits == 63 && negative && rng() % 8 == 0) return std::numeric_limits<int64_t>::min();
  return negative ? -static_cast<int64_t>(magnitude) : static_cast<int64_t>(magnitude);
}

// A random int16x8 clamp: full range, ReLU (0..32767) or a random sub-range.
inline void rand_clamp16(std::mt19937& rng, int32_t& act_min, int32_t& act_max) {
  switch (rand_int(rng, 0, 2)) {
    case 0:
      act_min = -32768;
      act_max = 32767;
      break;
    case 1:
      act_min = 0;
      act_max = 32767;
      break;
    default: {
      int a = rand_int(rng, -32768, 32767);
      int b = rand_int(rng, -32768, 32767);
      act_min = std::min(a, b);
      act_max = std::max(a, b);
    }
  }
}

inline float rand_float(std::mt19937& rng, float low, float high) {
  return std::uniform_real_distribution<float>(low, high)(rng);
}

// A Q31 mantissa in [2^30, 2^31) with 24 significant bits, as the kernels
// store it (tml_pack_requant).
inline int32_t rand_multiplier(std::mt19937& rng) {
  return static_cast<int32_t>(
      std::uniform_int_distribution<int64_t>(int64_t{1} << 23, (int64_t{1} << 24) - 1)(rng) << 7);
}

// A random fused-activation clamp: full range, ReLU (act_min = output zero
// point) or a random sub-range.
inline void rand_clamp(std::mt19937& rng, int32_t output_zero_point, int32_t& act_min, int32_t& act_max) {
  switch (rand_int(rng, 0, 2)) {
    case 0:
      act_min = -128;
      act_max = 127;
      break;
    case 1:
      act_min = output_zero_point;
      act_max = 127;
      break;
    default: {
      int a = rand_int(rng, -128, 127);
      int b = rand_int(rng, -128, 127);
      act_min = std::min(a, b);
      act_max = std::max(a, b);
    }
  }
}

}  // namespace tml_test

/* The Cortex-M DSP-extension instructions (ARMv7E-M: Cortex-M4, M7, M33) that
 * the optimized kernels use. On a target that has them (__ARM_FEATURE_DSP) they
 * are the ACLE intrinsics of <arm_acle.h>, one instruction each; elsewhere the
 * same functions in plain C, so those kernels also build, and are tested against
 * the reference kernels, on the host.
 *
 * Two signed 16-bit lanes in one 32-bit word ("pair"): low lane bits 0..15,
 * high lane bits 16..31. */
#ifndef TML_ARM_DSP_H
#define TML_ARM_DSP_H

#include <stdint.h>
#include <string.h>

#include "tml_common.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
#endif

/* Four bytes from any address (unaligned word loads are allowed on ARMv7E-M;
 * memcpy compiles to one LDR there). REQUIRES p in the data address space. */
static inline uint32_t tml_dsp_load4(const void* p) {
  uint32_t word;
  memcpy(&word, p, 4);
  return word;
}

/* `word` rotated right by 8 bits: bytes 1 and 3 move to 0 and 2. */
static inline uint32_t tml_dsp_ror8(uint32_t word) { return (word >> 8) | (word << 24); }

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP

/* SXTAB16: the pair (offset.low + (int8)byte 0, offset.high + (int8)byte 2),
 * each lane modulo 2^16. */
static inline uint32_t tml_dsp_sxtab16(uint32_t offset, uint32_t word) {
  return (uint32_t)__sxtab16((int16x2_t)offset, (int8x4_t)word);
}
/* SXTB16: the pair ((int8)byte 0, (int8)byte 2). */
static inline uint32_t tml_dsp_sxtb16(uint32_t word) { return (uint32_t)__sxtb16((int8x4_t)word); }
/* The same of tml_dsp_ror8(word), in one instruction (ACLE has no rotated form). */
static inline uint32_t tml_dsp_sxtab16_ror8(uint32_t offset, uint32_t word) {
  uint32_t pair;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(pair) : "r"(offset), "r"(word));
  return pair;
}
static inline uint32_t tml_dsp_sxtb16_ror8(uint32_t word) {
  uint32_t pair;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(pair) : "r"(word));
  return pair;
}
/* SMLAD: acc + a.low * b.low + a.high * b.high (REQUIRES no int32 overflow). */
static inline int32_t tml_dsp_smlad(uint32_t a, uint32_t b, int32_t acc) {
  return __smlad((int16x2_t)a, (int16x2_t)b, acc);
}
/* SMLABB and SMLATT: acc + a.low * b.low, acc + a.high * b.high. */
static inline int32_t tml_dsp_smlabb(uint32_t a, uint32_t b, int32_t acc) {
  return __smlabb((int32_t)a, (int32_t)b, acc);
}
static inline int32_t tml_dsp_smlatt(uint32_t a, uint32_t b, int32_t acc) {
  return __smlatt((int32_t)a, (int32_t)b, acc);
}
/* SMMUL: floor(a * b / 2^32), the high word of the 64-bit product. */
static inline int32_t tml_dsp_smmul(int32_t a, int32_t b) {
  int32_t high;
  __asm__("smmul %0, %1, %2" : "=r"(high) : "r"(a), "r"(b));
  return high;
}
/* SMMULR: floor((a * b + 2^31) / 2^32). */
static inline int32_t tml_dsp_smmulr(int32_t a, int32_t b) {
  int32_t high;
  __asm__("smmulr %0, %1, %2" : "=r"(high) : "r"(a), "r"(b));
  return high;
}
/* ASR: floor(value / 2^k), 0 <= k <= 31 (GCC and Clang define >> of a negative
 * int as this arithmetic shift on ARM). */
static inline int32_t tml_dsp_asr(int32_t value, int k) { return value >> k; }
/* SSAT #8: value clamped to [-128, 127]. */
static inline int32_t tml_dsp_ssat8(int32_t value) { return __ssat(value, 8); }
/* SSUB8 then SEL: the larger of each signed byte of a and b. One statement,
 * so that nothing comes between the GE flags SSUB8 sets and SEL reads. */
static inline uint32_t tml_dsp_max_s8x4(uint32_t a, uint32_t b) {
  uint32_t larger;
  __asm__("ssub8 %0, %1, %2\n\t"
          "sel   %0, %1, %2"
          : "=&r"(larger)
          : "r"(a), "r"(b));
  return larger;
}

#else

static inline int32_t tml_dsp_lane(uint32_t pair, int high) { return (int16_t)(uint16_t)(pair >> (high ? 16 : 0)); }
static inline uint32_t tml_dsp_pair(int32_t low, int32_t high) {
  return (uint32_t)(uint16_t)low | ((uint32_t)(uint16_t)high << 16);
}
static inline uint32_t tml_dsp_sxtab16(uint32_t offset, uint32_t word) {
  return tml_dsp_pair(tml_dsp_lane(offset, 0) + (int8_t)(uint8_t)word,
                      tml_dsp_lane(offset, 1) + (int8_t)(uint8_t)(word >> 16));
}
static inline uint32_t tml_dsp_sxtb16(uint32_t word) { return tml_dsp_sxtab16(0, word); }
static inline uint32_t tml_dsp_sxtab16_ror8(uint32_t offset, uint32_t word) {
  return tml_dsp_sxtab16(offset, tml_dsp_ror8(word));
}
static inline uint32_t tml_dsp_sxtb16_ror8(uint32_t word) { return tml_dsp_sxtb16(tml_dsp_ror8(word)); }
static inline int32_t tml_dsp_smlad(uint32_t a, uint32_t b, int32_t acc) {
  return acc + tml_dsp_lane(a, 0) * tml_dsp_lane(b, 0) + tml_dsp_lane(a, 1) * tml_dsp_lane(b, 1);
}
static inline int32_t tml_dsp_smlabb(uint32_t a, uint32_t b, int32_t acc) {
  return acc + tml_dsp_lane(a, 0) * tml_dsp_lane(b, 0);
}
static inline int32_t tml_dsp_smlatt(uint32_t a, uint32_t b, int32_t acc) {
  return acc + tml_dsp_lane(a, 1) * tml_dsp_lane(b, 1);
}
static inline int32_t tml_dsp_smmul(int32_t a, int32_t b) {
  return (int32_t)tml_floor_shift64((int64_t)a * b, 32);
}
static inline int32_t tml_dsp_smmulr(int32_t a, int32_t b) {
  return (int32_t)tml_floor_shift64((int64_t)a * b + ((int64_t)1 << 31), 32);
}
static inline int32_t tml_dsp_asr(int32_t value, int k) { return (int32_t)tml_floor_shift64(value, k); }
static inline int32_t tml_dsp_ssat8(int32_t value) { return tml_clamp(value, -128, 127); }
static inline uint32_t tml_dsp_max_s8x4(uint32_t a, uint32_t b) {
  uint32_t larger = 0;
  int byte;
  for (byte = 0; byte < 32; byte += 8) {
    const int8_t x = (int8_t)(uint8_t)(a >> byte), y = (int8_t)(uint8_t)(b >> byte);
    larger |= (uint32_t)(uint8_t)(x > y ? x : y) << byte;
  }
  return larger;
}

#endif

/* tml_requantize(acc, r), the same value, in three instructions when
 * r.shift <= -1, i.e. m < 1/2, which most layers have. With P = acc * M
 * (M = r.multiplier), n = 31 - shift and H = floor(P / 2^32), the high word:
 *   n = 32:  floor((P + 2^31) / 2^32) = SMMULR(acc, M)
 *   n > 32:  P + 2^(n-1) = (H + 2^(n-33)) * 2^32 + L with 0 <= L < 2^32, and
 *            adding L never reaches the next multiple of 2^n, so
 *            floor((P + 2^(n-1)) / 2^n) = floor((H + 2^(k-1)) / 2^k), k = n - 32
 *            = floor((floor(H / 2^(k-1)) + 1) / 2)
 *            (H = q * 2^(k-1) + rest, 0 <= rest < 2^(k-1): the rest adds less
 *            than 1/2 to (q + 1) / 2, an integer or an integer and a half)
 * where |H| <= 2^30 cannot overflow, and the result, at most 2^30 in
 * magnitude, needs no saturation. Other shifts take tml_requantize's 64-bit
 * path. */
static inline int32_t tml_dsp_requantize(int32_t acc, tml_requant r) {
  if (r.shift <= -2) {
    const int k_less_1 = -2 - (int)r.shift; /* 0..29 */
    return tml_dsp_asr(tml_dsp_asr(tml_dsp_smmul(acc, r.multiplier), k_less_1) + 1, 1);
  }
  if (r.shift == -1) return tml_dsp_smmulr(acc, r.multiplier);
  return tml_requantize(acc, r);
}

/* The requantization of tml_dsp_scaled for the shifts other than -2 or less,
 * bounded to +-256 (which keeps the sum with a zero point in int32 and clamps
 * the same). Not inlined (GCC), so that its 64-bit path takes no registers from
 * the common one; `unused`: a file may include this header and not call it. */
#if defined(__GNUC__)
__attribute__((noinline, unused))
#endif
static int32_t tml_dsp_requantize_rare(int32_t acc, int32_t packed) {
  return tml_clamp(tml_dsp_requantize(acc, tml_unpack_requant(packed)), -256, 256);
}

/* tml_requantize(acc, tml_unpack_requant(packed)), bounded to +-256 (clamped
 * with any zero point and activation range, that gives tml_output_s8's
 * result), from the packed constant (multiplier | (shift & 0x7F),
 * tml_pack_requant): for a shift of -2 or less its low 7 bits are shift + 128,
 * in [0x61, 0x7E], so k - 1 = -2 - shift = 126 - those bits lies in [0, 29]
 * (as an unsigned difference, nowhere else), and that path decodes nothing
 * else. Its result is at most 2^30 in magnitude, so its sum with a zero point
 * stays in int32. */
static inline int32_t tml_dsp_scaled(int32_t acc, int32_t packed) {
  const uint32_t k_less_1 = 126u - (uint32_t)(packed & 0x7F);
  return k_less_1 <= 29u ? tml_dsp_asr(tml_dsp_asr(tml_dsp_smmul(acc, packed & ~(int32_t)0x7F), (int)k_less_1) + 1, 1)
                         : tml_dsp_requantize_rare(acc, packed);
}

/* tml_output_s8(acc, tml_unpack_requant(packed), p), the same value. */
static inline int8_t tml_dsp_output_s8(int32_t acc, int32_t packed, const tml_q8_params* p) {
  return (int8_t)tml_clamp(p->output_zero_point + tml_dsp_scaled(acc, packed), p->act_min, p->act_max);
}

/* The same for an activation range of [-128, 127] (no fused activation, or a
 * ReLU whose zero is -128): one SSAT for the clamp. */
static inline int8_t tml_dsp_output_s8_full_range(int32_t acc, int32_t packed, int32_t output_zero_point) {
  return (int8_t)tml_dsp_ssat8(output_zero_point + tml_dsp_scaled(acc, packed));
}

#endif /* TML_ARM_DSP_H */

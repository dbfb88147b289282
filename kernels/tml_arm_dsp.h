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

#endif

#endif /* TML_ARM_DSP_H */

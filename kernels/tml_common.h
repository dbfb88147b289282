/* Shared definitions of the tinymlops kernels (C99, no heap, no libc beyond
 * stdint.h and string.h).
 *
 * Integer arithmetic follows one rule set, written out here so that the host
 * reference engine and every microcontroller compute the same bits:
 *
 *   real value      r = scale * (q - zero_point)
 *   int8 tensors    q in [-128, 127]; weights symmetric (zero_point 0)
 *   bias            int32, scale = input_scale * weight_scale[c], zero_point 0
 *   accumulator     int32: acc = bias[c] + sum (x - x_zero_point) * w, where
 *                   |bias[c]| + 255 * sum |w| <= 2^31 - 1 for every channel
 *                   (DeployModel::validate refuses other models), so no partial
 *                   sum overflows, in whatever order a kernel adds the products
 *   requantization  a real multiplier m = input_scale * weight_scale[c] / output_scale
 *                   is stored as a Q31 mantissa M in [2^30, 2^31) and a shift s
 *                   (m = M * 2^(s - 31)); see tml_requantize. Constants
 *                   hold M (24 significant bits) and s packed in one int32
 *                   per output channel (tml_pack_requant).
 *   output          q = clamp(output_zero_point + tml_requantize(acc, M, s),
 *                             act_min, act_max)
 *
 * act_min/act_max fuse ReLU (act_min = output_zero_point) and ReLU6.
 *
 * int16x8 (TFLite's 16x8 quantization) keeps the weights and the requantization
 * and widens the activations, the bias and the accumulator:
 *
 *   int16 tensors   q in [-32768, 32767], symmetric: zero_point 0, so
 *                   r = scale * q
 *   weights         int8, symmetric, one scale per output channel (as above)
 *   bias            int64, scale = input_scale * weight_scale[c], zero_point 0
 *   accumulator     int64: acc = bias[c] + sum x * w (each product fits int32:
 *                   |x * w| <= 2^22; the sum cannot overflow while
 *                   |bias| <= 2^62 and an output sees fewer than 2^40 taps)
 *   requantization  the same M and s, applied to the 64-bit accumulator by
 *                   tml_requantize64: floor((acc * M + 2^(n-1)) / 2^n) with
 *                   n = 31 - s, i.e. round half up, computed exactly (no
 *                   128-bit type needed), saturated to the int32 range
 *   output          q = clamp(tml_requantize64(acc, M, s), act_min, act_max)
 *                   with -32768 <= act_min <= act_max <= 32767, so the
 *                   result saturates to [-32768, 32767]; ReLU is act_min = 0,
 *                   ReLU6 also act_max = round(6 / output_scale)
 */
#ifndef TML_COMMON_H
#define TML_COMMON_H

#include <stdint.h>
#include <string.h>

/* Constant data: every read of a constant (weights, biases, codebooks, tables,
 * requantization and zero-point parameters) goes through these macros. On AVR
 * (unless TML_CONST_IN_RAM is defined) generated code declares its constants
 * TML_CONST, i.e. PROGMEM, so that they stay in flash, and the macros read them
 * with pgm_read_*; everywhere else TML_CONST is empty and a read is a plain
 * load. Activations (kernel inputs and outputs) and the conv/pool shape
 * structs are always in RAM. */
#if defined(__AVR__) && !defined(TML_CONST_IN_RAM)
#include <avr/pgmspace.h>
#define TML_CONST PROGMEM
#define TML_LD_S8(p) ((int8_t)pgm_read_byte(p))
#define TML_LD_U8(p) ((uint8_t)pgm_read_byte(p))
#define TML_LD_U16(p) ((uint16_t)pgm_read_word(p))
#define TML_LD_S16(p) ((int16_t)pgm_read_word(p))
#define TML_LD_S32(p) ((int32_t)pgm_read_dword(p))
#define TML_LD_S64(p) tml_pgm_read_s64(p)
#define TML_LD_F32(p) pgm_read_float(p)
#else
#define TML_CONST
#define TML_LD_S8(p) (*(const int8_t*)(p))
#define TML_LD_U8(p) (*(const uint8_t*)(p))
#define TML_LD_U16(p) (*(const uint16_t*)(p))
#define TML_LD_S16(p) (*(const int16_t*)(p))
#define TML_LD_S32(p) (*(const int32_t*)(p))
#define TML_LD_S64(p) (*(const int64_t*)(p))
#define TML_LD_F32(p) (*(const float*)(p))
#endif

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__AVR__) && !defined(TML_CONST_IN_RAM)
/* An int64 in flash: two little-endian dwords. */
static inline int64_t tml_pgm_read_s64(const void* p) {
  const uint64_t bits = (uint64_t)pgm_read_dword(p) | ((uint64_t)pgm_read_dword((const uint8_t*)p + 4) << 32);
  int64_t value;
  memcpy(&value, &bits, sizeof value);
  return value;
}
#endif

/* Fixed-point multiplier of one output channel: m = multiplier * 2^(shift - 31).
 * The value the kernels compute with; constants store it packed in one int32
 * (tml_load_requant). */
typedef struct {
  int32_t multiplier; /* in [2^30, 2^31), or 0 for m = 0 */
  int32_t shift;      /* in [-31, 30] */
} tml_requant;

/* Zero points and the fused-activation clamp of an int8 op. */
typedef struct {
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t act_min; /* output clamp, within [-128, 127] */
  int32_t act_max;
} tml_q8_params;

/* round(acc * m) with m = r.multiplier * 2^(r.shift - 31), ties rounded up
 * (toward +infinity), computed exactly in 64 bits:
 *   n = 31 - shift (1..62);  result = floor((acc * multiplier + 2^(n-1)) / 2^n)
 * |acc * multiplier| < 2^62, so the sum cannot overflow. The result is
 * saturated to the int32 range. */
static inline int32_t tml_requantize(int32_t acc, tml_requant r) {
  const int n = 31 - (int)r.shift;
  const int64_t rounded = (int64_t)acc * (int64_t)r.multiplier + ((int64_t)1 << (n - 1));
  /* floor(x / 2^n) without shifting a negative value (implementation-defined
   * in C99) and without a branch per sign: x + 2^63 is the same number made
   * non-negative, as an unsigned value; shifted right it is
   * floor(x / 2^n) + 2^(63-n) exactly, since 2^n divides 2^63. (Smaller code
   * than two sign branches; same result.) */
  const uint64_t biased = (uint64_t)rounded + ((uint64_t)1 << 63);
  const int64_t result = (int64_t)(biased >> n) - ((int64_t)1 << (63 - n));
  if (result > INT32_MAX) return INT32_MAX;
  if (result < INT32_MIN) return INT32_MIN;
  return (int32_t)result;
}

/* The requantization of output channel `channel`, read from one constant
 * int32 per channel (see TML_CONST), as tml_pack_requant stores it
 * (tml_unpack_requant: of a packed value already read):
 *   packed = multiplier | (shift & 0x7F)
 * The multiplier keeps 24 significant bits (bits 7..30; float32 precision), so
 * its low 7 bits hold the shift in [-31, 30] as a 7-bit two's complement
 * number. 4 bytes per channel instead of 5 for two arrays or 8 for a
 * tml_requant, and one load. */
static inline tml_requant tml_unpack_requant(int32_t packed) {
  tml_requant value;
  value.multiplier = packed & ~(int32_t)0x7F; /* packed >= 0 */
  value.shift = ((packed & 0x7F) ^ 0x40) - 0x40;  /* sign-extends 7 bits */
  return value;
}
static inline tml_requant tml_load_requant(const int32_t* requant, int32_t channel) {
  return tml_unpack_requant(TML_LD_S32(&requant[channel]));
}

/* The packed form of `r` for tml_load_requant. REQUIRES r.multiplier in
 * [2^30, 2^31) with its low 7 bits zero, or 0; r.shift in [-31, 30]. */
static inline int32_t tml_pack_requant(tml_requant r) {
  return (int32_t)((uint32_t)r.multiplier | ((uint32_t)r.shift & 0x7Fu));
}

/* A constant tml_q8_params (see TML_CONST). */
static inline tml_q8_params tml_load_q8_params(const tml_q8_params* p) {
  tml_q8_params value;
  value.input_zero_point = TML_LD_S32(&p->input_zero_point);
  value.output_zero_point = TML_LD_S32(&p->output_zero_point);
  value.act_min = TML_LD_S32(&p->act_min);
  value.act_max = TML_LD_S32(&p->act_max);
  return value;
}

static inline int32_t tml_clamp(int32_t value, int32_t low, int32_t high) {
  return value < low ? low : (value > high ? high : value);
}

/* The int8 output of an accumulator, as in the rule set above. */
static inline int8_t tml_output_s8(int32_t acc, tml_requant r, const tml_q8_params* p) {
  /* The zero point and the clamp lie in [-128, 127], so any value beyond
   * +-256 clamps the same as +-256 does; bounding it first keeps the sum in
   * int32 (smaller code than 64-bit compares, same result). */
  const int32_t scaled = tml_clamp(tml_requantize(acc, r), -256, 256);
  return (int8_t)tml_clamp(p->output_zero_point + scaled, p->act_min, p->act_max);
}

/* Zero points are 0 in int16x8, so only the clamp is left: the output clamp of
 * an int16x8 op, within [-32768, 32767] (fused ReLU: act_min = 0). */
typedef struct {
  int32_t act_min;
  int32_t act_max;
} tml_q16_params;

/* floor(value / 2^k) for 0 <= k <= 62, without shifting a negative value
 * (whose >> is implementation-defined in C99). */
static inline int64_t tml_floor_shift64(int64_t value, int k) {
  if (value >= 0) return value >> k;
  return -((-(value + 1)) >> k) - 1; /* floor(x / d) = -floor((-x - 1) / d) - 1 */
}

/* tml_requantize for a 64-bit accumulator, any int64 value: round(acc * m)
 * with m = r.multiplier * 2^(r.shift - 31), ties rounded up, exact:
 *   n = 31 - shift (1..62);  result = floor((acc * multiplier + 2^(n-1)) / 2^n)
 * saturated to the int32 range. acc * multiplier needs up to 94 bits, so it is
 * formed in two 64-bit halves: acc = hi * 2^32 + lo with 0 <= lo < 2^32, and
 *   acc * M + 2^(n-1) = H * 2^32 + L,  H = hi * M + carry,  0 <= L < 2^32
 * where |hi * M| < 2^62 and lo * M + 2^(n-1) < 2^64 cannot overflow. For an
 * int32 acc it equals tml_requantize(acc, r). */
static inline int32_t tml_requantize64(int64_t acc, tml_requant r) {
  const int n = 31 - (int)r.shift;
  const uint64_t multiplier = (uint64_t)r.multiplier;
  const int64_t hi = tml_floor_shift64(acc, 32);
  const uint64_t lo = (uint64_t)acc & 0xFFFFFFFFu;
  const uint64_t low_sum = lo * multiplier + ((uint64_t)1 << (n - 1));
  const int64_t high = hi * (int64_t)r.multiplier + (int64_t)(low_sum >> 32);
  const uint64_t low = low_sum & 0xFFFFFFFFu;
  int64_t result;
  if (n >= 32) {
    /* floor((H * 2^32 + L) / 2^n) = floor(H / 2^(n-32)) since 0 <= L < 2^32. */
    result = tml_floor_shift64(high, n - 32);
  } else {
    /* H * 2^(32-n) + floor(L / 2^n); |H| > 2^31 already leaves the int32 range. */
    if (high >= ((int64_t)1 << 31)) return INT32_MAX;
    if (high < -((int64_t)1 << 31)) return INT32_MIN;
    result = high * ((int64_t)1 << (32 - n)) + (int64_t)(low >> n);
  }
  if (result > INT32_MAX) return INT32_MAX;
  if (result < INT32_MIN) return INT32_MIN;
  return (int32_t)result;
}

/* A constant tml_q16_params (see TML_CONST). */
static inline tml_q16_params tml_load_q16_params(const tml_q16_params* p) {
  tml_q16_params value;
  value.act_min = TML_LD_S32(&p->act_min);
  value.act_max = TML_LD_S32(&p->act_max);
  return value;
}

/* The int16 output of a 64-bit accumulator, as in the int16x8 rule set above. */
static inline int16_t tml_output_s16(int64_t acc, tml_requant r, const tml_q16_params* p) {
  return (int16_t)tml_clamp(tml_requantize64(acc, r), p->act_min, p->act_max);
}

/* Compressed weight formats, shared by the fully-connected and convolution
 * kernels. Each addresses one weight by its flat index in the dense layout of
 * its op (int32_t: int is 16 bits on AVR); the arrays are constants. */

/* The unsigned 4-bit value at flat `index` of a packed array: two per byte,
 * the even index in the low nibble. Codebook indices (0..15). */
static inline int32_t tml_u4_at(const uint8_t* packed, int32_t index) {
  const uint8_t byte = TML_LD_U8(&packed[index >> 1]);
  return (index & 1) ? (int32_t)(byte >> 4) : (int32_t)(byte & 0x0F);
}

/* The signed 4-bit value (-8..7, two's complement nibble) at flat `index`,
 * packed as for tml_u4_at. int4 weights. */
static inline int32_t tml_s4_at(const uint8_t* packed, int32_t index) {
  const int32_t nibble = tml_u4_at(packed, index);
  return nibble >= 8 ? nibble - 16 : nibble;
}

/* Bit (index % 8) of mask[index / 8]: whether the sparse8 weight at flat
 * `index` is nonzero (its value is then the next one in the values array). */
static inline int tml_mask_bit(const uint8_t* mask, int32_t index) {
  return (TML_LD_U8(&mask[index >> 3]) >> (index & 7)) & 1;
}

/* The float32 value of a binary16 bit pattern (exact; subnormals, infinities
 * and NaN included). float16 weights. */
static inline float tml_f16_to_f32(uint16_t half) {
  const uint32_t sign = (uint32_t)(half >> 15) << 31;
  uint32_t exponent = (half >> 10) & 0x1F;
  uint32_t mantissa = half & 0x3FF;
  uint32_t bits;
  if (exponent == 0x1F) {
    bits = sign | 0x7F800000u | (mantissa << 13); /* infinity or NaN */
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13); /* normal: rebias 15 -> 127 */
  } else if (mantissa == 0) {
    bits = sign; /* zero */
  } else {
    /* Subnormal: shift the mantissa up until its leading 1 is implicit. */
    exponent = 113;
    while ((mantissa & 0x400) == 0) {
      mantissa <<= 1;
      --exponent;
    }
    bits = sign | (exponent << 23) | ((mantissa & 0x3FF) << 13);
  }
  float value;
  memcpy(&value, &bits, sizeof value);
  return value;
}

#ifdef __cplusplus
}
#endif

#endif /* TML_COMMON_H */

#include "tml_fully_connected_avr.h"

/* a * b, an int16: on AVR one MULS (its operands in r16..r31, the product in
 * r1:r0, then r1 cleared again as avr-gcc expects), where the compiler calls a
 * 16x16 -> 32-bit routine; elsewhere plain C. */
static inline int16_t tml_avr_muls(int8_t a, int8_t b) {
#if defined(__AVR__)
  int16_t product;
  __asm__("muls %1, %2\n\t"
          "movw %0, r0\n\t"
          "clr __zero_reg__"
          : "=r"(product)
          : "d"(a), "d"(b));
  return product;
#else
  return (int16_t)((int16_t)a * (int16_t)b);
#endif
}

/* floor(value / 2^k), 0 <= k <= 31, in 32-bit operations (avr-gcc makes a
 * 64-bit shift a library call). On AVR with avr-gcc's arithmetic >> of a
 * negative value, whole bytes first: a variable shift takes some 8 cycles per
 * bit, a byte 6; elsewhere without shifting a negative value. */
static inline int32_t tml_floor_shift32(int32_t value, uint8_t k) {
#if defined(__AVR__)
  for (; k >= 8; k = (uint8_t)(k - 8)) value >>= 8;
  return value >> k;
#else
  if (value >= 0) return value >> k;
  return -((-(value + 1)) >> k) - 1;
#endif
}

/* floor(a * m / 2^32) for 0 <= m < 2^31, from four 16 x 16 -> 32-bit
 * multiplies (avr-gcc makes the 32 x 32 -> 64-bit one a library routine of
 * some 500 cycles). With a = ah 2^16 + al (ah = floor(a / 2^16) in
 * [-2^15, 2^15), 0 <= al < 2^16) and m = mh 2^16 + ml (0 <= mh < 2^15):
 *   a m = ah mh 2^32 + (cross + low) 2^16 + (al ml mod 2^16)
 * with cross = ah ml (|cross| < 2^31) and low = al mh + floor(al ml / 2^16)
 * (< 2^31 + 2^16, a uint32). The last term, below 2^16, cannot carry past a
 * multiple of 2^32, so
 *   floor(a m / 2^32) = ah mh + floor((cross + low) / 2^16)
 *                     = ah mh + floor(cross / 2^16) + floor(low / 2^16)
 *                       + floor(((cross mod 2^16) + (low mod 2^16)) / 2^16). */
static inline int32_t tml_avr_mul_high(int32_t a, int32_t m) {
  int16_t ah = (int16_t)(uint16_t)((uint32_t)a >> 16);
  uint16_t al = (uint16_t)a;
  int16_t mh = (int16_t)((uint32_t)m >> 16);
  uint16_t ml = (uint16_t)m;
#if defined(__AVR__)
  /* Opaque 16-bit values: otherwise avr-gcc sees the halves of 32-bit words
   * and calls its 32 x 32-bit multiply instead of the 16 x 16 -> 32-bit ones. */
  __asm__("" : "+r"(ah), "+r"(al), "+r"(mh), "+r"(ml));
#endif
  const int32_t cross = (int32_t)ah * (int32_t)ml;
  const uint32_t low = (uint32_t)al * (uint32_t)(uint16_t)mh + (((uint32_t)al * ml) >> 16);
  const int32_t carry = (int32_t)((((uint32_t)cross & 0xFFFFu) + (low & 0xFFFFu)) >> 16);
  return (int32_t)ah * mh + tml_floor_shift32(cross, 16) + (int32_t)(low >> 16) + carry;
}

/* tml_output_s8(acc, tml_unpack_requant(packed), p), the same value. For a
 * shift of -2 or less (the packed constant's low 7 bits in [0x61, 0x7E]) from
 * the high word of acc * M and 32-bit shifts, by the identity proved at
 * tml_dsp_requantize (tml_arm_dsp.h):
 *   floor((acc * M + 2^(n-1)) / 2^n) = floor((floor(H / 2^(k-1)) + 1) / 2)
 * with H = floor(acc * M / 2^32), k - 1 = 126 - the low bits. */
static int8_t tml_avr_output_s8(int32_t acc, int32_t packed, const tml_q8_params* p) {
  const uint8_t k_less_1 = (uint8_t)(126 - (packed & 0x7F)); /* 0..29 on this path */
  if (k_less_1 > 29) return tml_output_s8(acc, tml_unpack_requant(packed), p);
  const int32_t high = tml_avr_mul_high(acc, packed & ~(int32_t)0x7F);
  const int32_t scaled = tml_floor_shift32(tml_floor_shift32(high, k_less_1) + 1, 1);
  return (int8_t)tml_clamp(p->output_zero_point + scaled, p->act_min, p->act_max);
}

/* sum (x[i] - zero_point) * w[i] over 1 <= count <= 256 inputs at x and
 * weights at w, computed as sum x * w - zero_point * sum w, where |sum w| <=
 * 128 * 256 fits an int16 and zero_point * sum w a 16 x 16 -> 32-bit multiply.
 * On AVR with the weights in flash (TML_CONST) a loop of 18 cycles per MAC:
 * LPM, LD, MULS, the product with its sign bit flipped (x * w + 2^15, in
 * [0, 2^16)) into a 24-bit sum, which 256 of them cannot overflow, and the
 * weight into the 16-bit one; elsewhere plain C. */
static inline int32_t tml_avr_dot(const int8_t* x, const int8_t* w, uint16_t count, int16_t zero_point) {
#if defined(__AVR__) && !defined(TML_CONST_IN_RAM)
  uint32_t biased = 0; /* sum (x * w + 2^15) < 256 * 2^16 = 2^24 */
  int16_t sum = 0;
  uint8_t pairs = (uint8_t)(count >> 1); /* 0..128 */
  uint8_t weight, input;
  const uint8_t odd = (uint8_t)(count & 1), sign_bit = 0x80, zero = 0;
/* One multiply-accumulate, 15 cycles. */
#define TML_AVR_MAC                 \
  "lpm  %[weight], Z+\n\t"          \
  "ld   %[input], X+\n\t"           \
  "muls %[input], %[weight]\n\t"    \
  "eor  r1, %[sign_bit]\n\t"        \
  "add  %A[biased], r0\n\t"         \
  "adc  %B[biased], r1\n\t"         \
  "adc  %C[biased], %[zero]\n\t"    \
  "add  %A[sum], %[weight]\n\t"     \
  "adc  %B[sum], %[zero]\n\t"       \
  "sbrc %[weight], 7\n\t"           \
  "dec  %B[sum]\n\t"
  /* The odd one, then pairs: 16.5 cycles per MAC. */
  __asm__ volatile(
      "tst  %[odd]\n\t"
      "breq 1f\n\t" TML_AVR_MAC
      "1:\n\t"
      "tst  %[pairs]\n\t"
      "breq 3f\n\t"
      "2:\n\t" TML_AVR_MAC TML_AVR_MAC
      "dec  %[pairs]\n\t"
      "brne 2b\n\t"
      "3:\n\t"
      "clr  __zero_reg__"
      : [biased] "+r"(biased), [sum] "+r"(sum), [pairs] "+r"(pairs), [x] "+x"(x), [w] "+z"(w),
        [weight] "=&d"(weight), [input] "=&d"(input)
      : [odd] "r"(odd), [sign_bit] "r"(sign_bit), [zero] "r"(zero)
      : "r0", "memory");
#undef TML_AVR_MAC
  /* count * 2^15, as (count / 2) * 2^16 + (count % 2) * 2^15: byte moves, where
   * a shift by 15 is a loop of 15 steps. */
  const int32_t bias_sum = (int32_t)((uint32_t)(count >> 1) << 16) + (count & 1 ? 32768 : 0);
  return (int32_t)biased - bias_sum - (int32_t)zero_point * sum;
#else
  int32_t products = 0;
  int16_t sum = 0;
  for (uint16_t i = 0; i < count; ++i) {
    const int8_t weight = TML_LD_S8(&w[i]);
    products += tml_avr_muls(x[i], weight);
    sum = (int16_t)(sum + weight);
  }
  return products - (int32_t)zero_point * sum;
#endif
}

void tml_fully_connected_s8_avr(const int8_t* input, int in_features, const int8_t* weights, const int32_t* bias,
                                int out_features, const int32_t* requant, const tml_q8_params* params,
                                int8_t* output) {
  const tml_q8_params q = tml_load_q8_params(params);
  const int8_t* w = weights;
  for (int o = 0; o < out_features; ++o, w += in_features) {
    int32_t acc = bias ? TML_LD_S32(&bias[o]) : 0;
    for (int first = 0; first < in_features; first += 256) {
      const int count = in_features - first < 256 ? in_features - first : 256;
      acc += tml_avr_dot(input + first, w + first, (uint16_t)count, (int16_t)q.input_zero_point);
    }
    output[o] = tml_avr_output_s8(acc, TML_LD_S32(&requant[o]), &q);
  }
}

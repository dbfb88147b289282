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
 * 64-bit shift a library call). */
static inline int32_t tml_floor_shift32(int32_t value, int k) {
  if (value >= 0) return value >> k;
  return -((-(value + 1)) >> k) - 1;
}

/* tml_output_s8(acc, tml_unpack_requant(packed), p), the same value. For a
 * shift of -2 or less (the packed constant's low 7 bits in [0x61, 0x7E]) from
 * the high word of acc * M and 32-bit shifts, by the identity proved at
 * tml_dsp_requantize (tml_arm_dsp.h):
 *   floor((acc * M + 2^(n-1)) / 2^n) = floor((floor(H / 2^(k-1)) + 1) / 2)
 * with H = floor(acc * M / 2^32), k - 1 = 126 - the low bits. */
static int8_t tml_avr_output_s8(int32_t acc, int32_t packed, const tml_q8_params* p) {
  const int32_t low = packed & 0x7F;
  if (low < 0x61 || low > 0x7E) return tml_output_s8(acc, tml_unpack_requant(packed), p);
  const int32_t high = (int32_t)tml_floor_shift64((int64_t)acc * (packed & ~(int32_t)0x7F), 32);
  const int32_t scaled = tml_floor_shift32(tml_floor_shift32(high, (int)(126 - low)) + 1, 1);
  return (int8_t)tml_clamp(p->output_zero_point + scaled, p->act_min, p->act_max);
}

/* *products += sum x[i] * w[i] and *weight_sum += sum w[i] (an int16: REQUIRES
 * |the result| <= 32767) over count >= 1 inputs at x and weights at w. On AVR
 * with the weights in flash (TML_CONST) a loop of 24 cycles per MAC: LPM, LD,
 * MULS, the 16-bit product sign-extended into the 32-bit sum, the weight into
 * the 16-bit one; elsewhere plain C. */
static inline void tml_avr_dot(const int8_t* x, const int8_t* w, uint16_t count, int32_t* products,
                               int16_t* weight_sum) {
#if defined(__AVR__) && !defined(TML_CONST_IN_RAM)
  int32_t acc = *products;
  int16_t sum = *weight_sum;
  uint8_t weight, input, sign;
  __asm__ volatile(
      "1:\n\t"
      "lpm  %[weight], Z+\n\t"
      "ld   %[input], X+\n\t"
      "muls %[input], %[weight]\n\t"
      "mov  %[sign], r1\n\t"
      "lsl  %[sign]\n\t"
      "sbc  %[sign], %[sign]\n\t"
      "add  %A[acc], r0\n\t"
      "adc  %B[acc], r1\n\t"
      "adc  %C[acc], %[sign]\n\t"
      "adc  %D[acc], %[sign]\n\t"
      "clr  __zero_reg__\n\t"
      "add  %A[sum], %[weight]\n\t"
      "adc  %B[sum], __zero_reg__\n\t"
      "sbrc %[weight], 7\n\t"
      "dec  %B[sum]\n\t"
      "subi %A[count], 1\n\t"
      "sbci %B[count], 0\n\t"
      "brne 1b"
      : [acc] "+r"(acc), [sum] "+r"(sum), [count] "+d"(count), [x] "+x"(x), [w] "+z"(w),
        [weight] "=&d"(weight), [input] "=&d"(input), [sign] "=&r"(sign)
      :
      : "r0", "memory");
  *products = acc;
  *weight_sum = sum;
#else
  for (uint16_t i = 0; i < count; ++i) {
    const int8_t weight = TML_LD_S8(&w[i]);
    *products += tml_avr_muls(x[i], weight);
    *weight_sum = (int16_t)(*weight_sum + weight);
  }
#endif
}

void tml_fully_connected_s8_avr(const int8_t* input, int in_features, const int8_t* weights, const int32_t* bias,
                                int out_features, const int32_t* requant, const tml_q8_params* params,
                                int8_t* output) {
  const tml_q8_params q = tml_load_q8_params(params);
  const int8_t* w = weights;
  for (int o = 0; o < out_features; ++o, w += in_features) {
    int32_t products = bias ? TML_LD_S32(&bias[o]) : 0; /* bias + sum x * w */
    int32_t weight_sum = 0;                               /* sum w */
    /* In pieces of 256 inputs, whose |sum w| <= 128 * 256 fits an int16. */
    for (int first = 0; first < in_features; first += 256) {
      const int count = in_features - first < 256 ? in_features - first : 256;
      int16_t piece_sum = 0;
      tml_avr_dot(input + first, w + first, (uint16_t)count, &products, &piece_sum);
      weight_sum += piece_sum;
    }
    output[o] = tml_avr_output_s8(products - q.input_zero_point * weight_sum, TML_LD_S32(&requant[o]), &q);
  }
}

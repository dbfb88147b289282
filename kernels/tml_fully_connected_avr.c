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

void tml_fully_connected_s8_avr(const int8_t* input, int in_features, const int8_t* weights, const int32_t* bias,
                                int out_features, const int32_t* requant, const tml_q8_params* params,
                                int8_t* output) {
  const tml_q8_params q = tml_load_q8_params(params);
  const int8_t* w = weights;
  for (int o = 0; o < out_features; ++o) {
    int32_t products = bias ? TML_LD_S32(&bias[o]) : 0; /* bias + sum x * w */
    int32_t weight_sum = 0;                               /* sum w */
    const int8_t* x = input;
    const int8_t* const end = input + in_features;
    while (x != end) {
      const int8_t weight = TML_LD_S8(w);
      ++w;
      products += tml_avr_muls(*x++, weight);
      weight_sum += weight;
    }
    output[o] = tml_avr_output_s8(products - q.input_zero_point * weight_sum, TML_LD_S32(&requant[o]), &q);
  }
}

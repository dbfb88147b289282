#include "tml_activation.h"

void tml_lookup_s8(const int8_t* input, int count, const int8_t* table, int8_t* output) {
  for (int i = 0; i < count; ++i) output[i] = TML_LD_S8(&table[(int32_t)input[i] + 128]);
}

void tml_lookup_s16(const int16_t* input, int count, const int16_t* table, int16_t* output) {
  for (int i = 0; i < count; ++i) {
    const int32_t u = (int32_t)input[i] + 32768; /* 0..65535 */
    const int32_t j = u / 128, t = u % 128;
    const int32_t base = TML_LD_S16(&table[j]);
    /* |delta * t| <= 65535 * 127 < 2^23 */
    const int32_t scaled = (TML_LD_S16(&table[j + 1]) - base) * t + 64;
    const int32_t step = scaled >= 0 ? scaled / 128 : -((-scaled + 127) / 128); /* floor */
    output[i] = (int16_t)(base + step);
  }
}

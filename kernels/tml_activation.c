#include "tml_activation.h"

void tml_lookup_s8(const int8_t* input, int count, const int8_t* table, int8_t* output) {
  for (int i = 0; i < count; ++i) output[i] = TML_LD_S8(&table[(int32_t)input[i] + 128]);
}

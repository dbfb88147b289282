#include "tml_fully_connected_dsp.h"

#include "tml_dot_dsp.h"

void tml_fully_connected_s8_dsp(const int8_t* input, int in_features, const int8_t* weights, const int32_t* bias,
                                int out_features, const int32_t* requant, const tml_q8_params* params,
                                int8_t* output) {
  tml_rows_s8_dsp(input, in_features, weights, bias, out_features, requant, tml_load_q8_params(params), output);
}

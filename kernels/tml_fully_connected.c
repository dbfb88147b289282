#include "tml_fully_connected.h"

void tml_fully_connected_f32(const float* input, int in_features, const float* weights, const float* bias,
                             int out_features, float act_min, float act_max, float* output) {
  for (int o = 0; o < out_features; ++o) {
    const float* w = weights + (int32_t)o * in_features;
    float acc = bias ? bias[o] : 0.0f;
    for (int i = 0; i < in_features; ++i) acc += input[i] * w[i];
    output[o] = acc < act_min ? act_min : (acc > act_max ? act_max : acc);
  }
}

void tml_fully_connected_s8(const int8_t* input, int in_features, const int8_t* weights, const int32_t* bias,
                            int out_features, const tml_requant* requant, const tml_q8_params* params,
                            int8_t* output) {
  for (int o = 0; o < out_features; ++o) {
    const int8_t* w = weights + (int32_t)o * in_features;
    int32_t acc = bias ? bias[o] : 0;
    for (int i = 0; i < in_features; ++i) {
      acc += ((int32_t)input[i] - params->input_zero_point) * (int32_t)w[i];
    }
    output[o] = tml_output_s8(acc, requant[o], params);
  }
}

#include "tml_fully_connected.h"

#include <string.h>

void tml_fully_connected_f32(const float* input, int in_features, const float* weights, const float* bias,
                             int out_features, float act_min, float act_max, float* output) {
  for (int o = 0; o < out_features; ++o) {
    const float* w = weights + (int32_t)o * in_features;
    float acc = bias ? TML_LD_F32(&bias[o]) : 0.0f;
    for (int i = 0; i < in_features; ++i) acc += input[i] * TML_LD_F32(&w[i]);
    output[o] = acc < act_min ? act_min : (acc > act_max ? act_max : acc);
  }
}

/* The signed 4-bit weight at flat `index` of a packed array. */
static int32_t s4_at(const uint8_t* packed, int32_t index) {
  const uint8_t byte = TML_LD_U8(&packed[index >> 1]);
  const int32_t nibble = (index & 1) ? (byte >> 4) : (byte & 0x0F);
  return nibble >= 8 ? nibble - 16 : nibble;
}

void tml_fully_connected_s4(const int8_t* input, int in_features, const uint8_t* packed_weights,
                            const int32_t* bias, int out_features, const tml_requant* requant,
                            const tml_q8_params* params, int8_t* output) {
  const tml_q8_params q = tml_load_q8_params(params);
  for (int o = 0; o < out_features; ++o) {
    const int32_t row = (int32_t)o * in_features;
    int32_t acc = bias ? TML_LD_S32(&bias[o]) : 0;
    for (int i = 0; i < in_features; ++i) {
      acc += ((int32_t)input[i] - q.input_zero_point) * s4_at(packed_weights, row + i);
    }
    output[o] = tml_output_s8(acc, tml_load_requant(&requant[o]), &q);
  }
}

void tml_fully_connected_codebook_s8(const int8_t* input, int in_features, const uint8_t* packed_indices,
                                     const int8_t* codebook, const int32_t* bias, int out_features,
                                     const tml_requant* requant, const tml_q8_params* params, int8_t* output) {
  const tml_q8_params q = tml_load_q8_params(params);
  for (int o = 0; o < out_features; ++o) {
    const int32_t row = (int32_t)o * in_features;
    int32_t acc = bias ? TML_LD_S32(&bias[o]) : 0;
    for (int i = 0; i < in_features; ++i) {
      const int32_t index = row + i;
      const uint8_t byte = TML_LD_U8(&packed_indices[index >> 1]);
      const int k = (index & 1) ? (byte >> 4) : (byte & 0x0F);
      acc += ((int32_t)input[i] - q.input_zero_point) * (int32_t)TML_LD_S8(&codebook[k]);
    }
    output[o] = tml_output_s8(acc, tml_load_requant(&requant[o]), &q);
  }
}

void tml_fully_connected_sparse_s8(const int8_t* input, int in_features, const uint8_t* mask, const int8_t* values,
                                   const int32_t* bias, int out_features, const tml_requant* requant,
                                   const tml_q8_params* params, int8_t* output) {
  const tml_q8_params q = tml_load_q8_params(params);
  int32_t next = 0; /* index into values of the next nonzero weight */
  for (int o = 0; o < out_features; ++o) {
    const int32_t row = (int32_t)o * in_features;
    int32_t acc = bias ? TML_LD_S32(&bias[o]) : 0;
    for (int i = 0; i < in_features; ++i) {
      const int32_t index = row + i;
      if ((TML_LD_U8(&mask[index >> 3]) >> (index & 7)) & 1) {
        acc += ((int32_t)input[i] - q.input_zero_point) * (int32_t)TML_LD_S8(&values[next++]);
      }
    }
    output[o] = tml_output_s8(acc, tml_load_requant(&requant[o]), &q);
  }
}

float tml_f16_to_f32(uint16_t half) {
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

void tml_fully_connected_f16w(const float* input, int in_features, const uint16_t* weights, const float* bias,
                              int out_features, float act_min, float act_max, float* output) {
  for (int o = 0; o < out_features; ++o) {
    const uint16_t* w = weights + (int32_t)o * in_features;
    float acc = bias ? TML_LD_F32(&bias[o]) : 0.0f;
    for (int i = 0; i < in_features; ++i) acc += input[i] * tml_f16_to_f32(TML_LD_U16(&w[i]));
    output[o] = acc < act_min ? act_min : (acc > act_max ? act_max : acc);
  }
}

void tml_fully_connected_w8(const float* input, int in_features, const int8_t* weights, const float* scales,
                            const float* bias, int out_features, float act_min, float act_max, float* output) {
  for (int o = 0; o < out_features; ++o) {
    const int8_t* w = weights + (int32_t)o * in_features;
    float sum = 0.0f;
    for (int i = 0; i < in_features; ++i) sum += input[i] * (float)TML_LD_S8(&w[i]);
    const float acc = (bias ? TML_LD_F32(&bias[o]) : 0.0f) + TML_LD_F32(&scales[o]) * sum;
    output[o] = acc < act_min ? act_min : (acc > act_max ? act_max : acc);
  }
}

void tml_fully_connected_s8(const int8_t* input, int in_features, const int8_t* weights, const int32_t* bias,
                            int out_features, const tml_requant* requant, const tml_q8_params* params,
                            int8_t* output) {
  const tml_q8_params q = tml_load_q8_params(params);
  for (int o = 0; o < out_features; ++o) {
    const int8_t* w = weights + (int32_t)o * in_features;
    int32_t acc = bias ? TML_LD_S32(&bias[o]) : 0;
    for (int i = 0; i < in_features; ++i) {
      acc += ((int32_t)input[i] - q.input_zero_point) * (int32_t)TML_LD_S8(&w[i]);
    }
    output[o] = tml_output_s8(acc, tml_load_requant(&requant[o]), &q);
  }
}

void tml_fully_connected_s16(const int16_t* input, int in_features, const int8_t* weights, const int64_t* bias,
                             int out_features, const tml_requant* requant, const tml_q16_params* params,
                             int16_t* output) {
  const tml_q16_params q = tml_load_q16_params(params);
  for (int o = 0; o < out_features; ++o) {
    const int8_t* w = weights + (int32_t)o * in_features;
    int64_t acc = bias ? TML_LD_S64(&bias[o]) : 0;
    for (int i = 0; i < in_features; ++i) acc += (int32_t)input[i] * (int32_t)TML_LD_S8(&w[i]);
    output[o] = tml_output_s16(acc, tml_load_requant(&requant[o]), &q);
  }
}

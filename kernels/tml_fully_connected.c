#include "tml_fully_connected.h"

void tml_fully_connected_f32(const float* input, int in_features, const float* weights, const float* bias,
                             int out_features, float act_min, float act_max, float* output) {
  for (int o = 0; o < out_features; ++o) {
    const float* w = weights + (int32_t)o * in_features;
    float acc = bias ? TML_LD_F32(&bias[o]) : 0.0f;
    for (int i = 0; i < in_features; ++i) acc += input[i] * TML_LD_F32(&w[i]);
    output[o] = acc < act_min ? act_min : (acc > act_max ? act_max : acc);
  }
}

void tml_fully_connected_s4(const int8_t* input, int in_features, const uint8_t* packed_weights, const int32_t* bias,
                            int out_features, const int32_t* requant,
                            const tml_q8_params* params, int8_t* output) {
  const tml_q8_params q = tml_load_q8_params(params);
  for (int o = 0; o < out_features; ++o) {
    const int32_t row = (int32_t)o * in_features;
    int32_t acc = bias ? TML_LD_S32(&bias[o]) : 0;
    for (int i = 0; i < in_features; ++i) {
      acc += ((int32_t)input[i] - q.input_zero_point) * tml_s4_at(packed_weights, row + i);
    }
    output[o] = tml_output_s8(acc, tml_load_requant(requant, o), &q);
  }
}

void tml_fully_connected_codebook_s8(const int8_t* input, int in_features, const uint8_t* packed_indices,
                                     const int8_t* codebook, const int32_t* bias, int out_features,
                                     const int32_t* requant, const tml_q8_params* params,
                                     int8_t* output) {
  const tml_q8_params q = tml_load_q8_params(params);
  for (int o = 0; o < out_features; ++o) {
    const int32_t row = (int32_t)o * in_features;
    int32_t acc = bias ? TML_LD_S32(&bias[o]) : 0;
    for (int i = 0; i < in_features; ++i) {
      acc +=
          ((int32_t)input[i] - q.input_zero_point) * (int32_t)TML_LD_S8(&codebook[tml_u4_at(packed_indices, row + i)]);
    }
    output[o] = tml_output_s8(acc, tml_load_requant(requant, o), &q);
  }
}

void tml_fully_connected_sparse_s8(const int8_t* input, int in_features, const uint8_t* mask, const int8_t* values,
                                   const int32_t* bias, int out_features, const int32_t* requant,
                                   const tml_q8_params* params, int8_t* output) {
  const tml_q8_params q = tml_load_q8_params(params);
  int32_t next = 0; /* index into values of the next nonzero weight */
  for (int o = 0; o < out_features; ++o) {
    const int32_t row = (int32_t)o * in_features;
    int32_t acc = bias ? TML_LD_S32(&bias[o]) : 0;
    for (int i = 0; i < in_features; ++i) {
      if (tml_mask_bit(mask, row + i)) {
        acc += ((int32_t)input[i] - q.input_zero_point) * (int32_t)TML_LD_S8(&values[next++]);
      }
    }
    output[o] = tml_output_s8(acc, tml_load_requant(requant, o), &q);
  }
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
                            int out_features, const int32_t* requant,
                            const tml_q8_params* params, int8_t* output) {
  const tml_q8_params q = tml_load_q8_params(params);
  for (int o = 0; o < out_features; ++o) {
    const int8_t* w = weights + (int32_t)o * in_features;
    int32_t acc = bias ? TML_LD_S32(&bias[o]) : 0;
    for (int i = 0; i < in_features; ++i) {
      acc += ((int32_t)input[i] - q.input_zero_point) * (int32_t)TML_LD_S8(&w[i]);
    }
    output[o] = tml_output_s8(acc, tml_load_requant(requant, o), &q);
  }
}

void tml_fully_connected_s16(const int16_t* input, int in_features, const int8_t* weights, const int64_t* bias,
                             int out_features, const int32_t* requant,
                             const tml_q16_params* params, int16_t* output) {
  const tml_q16_params q = tml_load_q16_params(params);
  for (int o = 0; o < out_features; ++o) {
    const int8_t* w = weights + (int32_t)o * in_features;
    int64_t acc = bias ? TML_LD_S64(&bias[o]) : 0;
    for (int i = 0; i < in_features; ++i) acc += (int32_t)input[i] * (int32_t)TML_LD_S8(&w[i]);
    output[o] = tml_output_s16(acc, tml_load_requant(requant, o), &q);
  }
}

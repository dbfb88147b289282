/* Fully connected (dense) layer: out[o] = bias[o] + sum_i in[i] * w[o][i].
 * Weights are output-major: w[o * in_features + i]. */
#ifndef TML_FULLY_CONNECTED_H
#define TML_FULLY_CONNECTED_H

#include "tml_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* float32; the output is clamped to [act_min, act_max] (use -/+INFINITY-like
 * bounds such as -3.4e38f/3.4e38f for none, 0 for ReLU, 0..6 for ReLU6). */
void tml_fully_connected_f32(const float* input, int in_features, const float* weights, const float* bias,
                             int out_features, float act_min, float act_max, float* output);

/* int8 (tml_common.h rule set); output o is requantized by requant[o]
 * (tml_load_requant; repeat one value for a per-tensor scale). bias may
 * be NULL (zero). */
void tml_fully_connected_s8(const int8_t* input, int in_features, const int8_t* weights, const int32_t* bias,
                            int out_features, const int32_t* requant,
                            const tml_q8_params* params, int8_t* output);

/* int16x8 (tml_common.h's int16x8 rule set): int16 input and output (zero
 * point 0), int8 weights, int64 bias (may be NULL), 64-bit accumulator;
 * requant[o] per output as for tml_fully_connected_s8. REQUIRES |bias[o]| <= 2^62. */
void tml_fully_connected_s16(const int16_t* input, int in_features, const int8_t* weights, const int64_t* bias,
                             int out_features, const int32_t* requant,
                             const tml_q16_params* params, int16_t* output);

/* int8 activations with int4 weights: as tml_fully_connected_s8, but weight
 * w[o * in_features + i] is the signed 4-bit value (-8..7) in the low nibble of
 * byte index/2 for an even flat index, the high nibble for an odd one. */
void tml_fully_connected_s4(const int8_t* input, int in_features, const uint8_t* packed_weights, const int32_t* bias,
                            int out_features, const int32_t* requant,
                            const tml_q8_params* params, int8_t* output);

/* int8 activations with clustered weights: weight w[o * in_features + i] is
 * codebook[k], k the unsigned 4-bit index (0..15) packed as in
 * tml_fully_connected_s4 (even flat index in the low nibble). The codebook holds
 * int8 weights of one per-tensor scale (requant[o] may still differ by output). */
void tml_fully_connected_codebook_s8(const int8_t* input, int in_features, const uint8_t* packed_indices,
                                     const int8_t* codebook, const int32_t* bias, int out_features,
                                     const int32_t* requant, const tml_q8_params* params,
                                     int8_t* output);

/* int8 activations with sparse int8 weights: bit (index % 8) of mask[index / 8]
 * says whether weight w[o * in_features + i] (index = that flat index) is
 * nonzero; the nonzero weights follow in `values`, in flat-index order. */
void tml_fully_connected_sparse_s8(const int8_t* input, int in_features, const uint8_t* mask, const int8_t* values,
                                   const int32_t* bias, int out_features, const int32_t* requant,
                                   const tml_q8_params* params, int8_t* output);

/* float32 activations with float16 weights (IEEE 754 binary16 bit patterns,
 * converted exactly to float32 by tml_f16_to_f32 as they are read). Otherwise as
 * tml_fully_connected_f32. */
void tml_fully_connected_f16w(const float* input, int in_features, const uint16_t* weights, const float* bias,
                              int out_features, float act_min, float act_max, float* output);

/* float32 activations with int8 weights (weight-only, "dynamic" quantization):
 * out[o] = bias[o] + scales[o] * sum_i in[i] * w[o][i], clamped. */
void tml_fully_connected_w8(const float* input, int in_features, const int8_t* weights, const float* scales,
                            const float* bias, int out_features, float act_min, float act_max, float* output);

#ifdef __cplusplus
}
#endif

#endif /* TML_FULLY_CONNECTED_H */

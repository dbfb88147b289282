/* Convolutions over channels-last images (H x W x C; a 1-D sequence is an image
 * of height 1). Padding is implicit: taps outside the image contribute zero
 * (for int8: the input zero point, i.e. real zero; int16 has zero point 0). */
#ifndef TML_CONV_H
#define TML_CONV_H

#include "tml_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  int in_h, in_w, in_c;
  int out_h, out_w, out_c;
  int kernel_h, kernel_w;
  int stride_h, stride_w;
  int pad_top, pad_left; /* leading padding; trailing padding follows from the sizes */
} tml_conv_shape;

/* Conv2D. weights[f][ky][kx][c] (out_c x kernel_h x kernel_w x in_c); bias[out_c]
 * (may be NULL). output[(oy * out_w + ox) * out_c + f]. The integer kernels
 * requantize output channel f by requant[f] (tml_load_requant). */
void tml_conv2d_f32(const float* input, const tml_conv_shape* shape, const float* weights, const float* bias,
                    float act_min, float act_max, float* output);
void tml_conv2d_s8(const int8_t* input, const tml_conv_shape* shape, const int8_t* weights, const int32_t* bias,
                   const int32_t* requant, const tml_q8_params* params, int8_t* output);
/* int16x8 (tml_common.h): int16 input and output, int8 weights, int64 bias
 * (may be NULL; |bias[f]| <= 2^62); padded taps contribute zero. */
void tml_conv2d_s16(const int16_t* input, const tml_conv_shape* shape, const int8_t* weights, const int64_t* bias,
                    const int32_t* requant, const tml_q16_params* params, int16_t* output);

/* DepthwiseConv2D with out_c = in_c * M: output channel c * M + m sees input
 * channel c only. weights[ky][kx][c * M + m]; bias[out_c] (may be NULL). */
void tml_depthwise_conv2d_f32(const float* input, const tml_conv_shape* shape, const float* weights, const float* bias,
                              float act_min, float act_max, float* output);
void tml_depthwise_conv2d_s8(const int8_t* input, const tml_conv_shape* shape, const int8_t* weights,
                             const int32_t* bias, const int32_t* requant,
                             const tml_q8_params* params, int8_t* output);
void tml_depthwise_conv2d_s16(const int16_t* input, const tml_conv_shape* shape, const int8_t* weights,
                              const int64_t* bias, const int32_t* requant,
                              const tml_q16_params* params, int16_t* output);

/* Compressed weights with int8 activations (tml_common.h rule set; requant,
 * params and bias as for the s8 kernels). The weights keep the dense layout of
 * their op -- Conv2D flat index ((f * kernel_h + ky) * kernel_w + kx) * in_c + c,
 * DepthwiseConv2D (ky * kernel_w + kx) * out_c + o -- and are packed exactly
 * as the fully-connected formats (tml_fully_connected.h):
 *   s4           signed 4-bit weights (-8..7), two per byte, the even flat
 *                index in the low nibble (tml_s4_at);
 *   codebook_s8  unsigned 4-bit indices packed the same way into a 16-entry
 *                int8 codebook: weight = codebook[index] (tml_u4_at);
 *   sparse_s8    (Conv2D only) a bitmap, bit index % 8 of mask[index / 8] set
 *                for each nonzero weight (tml_mask_bit), then the nonzero
 *                values in flat-index order: those of filter f start after the
 *                nonzeros of filters 0..f-1. The kernel walks every tap of a
 *                filter through the mask, padded taps included, and multiplies
 *                only the taps inside the image.
 * Depthwise has no sparse variant: its flat order interleaves the output
 * channels, so one output channel's values are not contiguous. */
void tml_conv2d_s4(const int8_t* input, const tml_conv_shape* shape, const uint8_t* packed_weights, const int32_t* bias,
                   const int32_t* requant, const tml_q8_params* params, int8_t* output);
void tml_conv2d_codebook_s8(const int8_t* input, const tml_conv_shape* shape, const uint8_t* packed_indices,
                            const int8_t* codebook, const int32_t* bias, const int32_t* requant,
                            const tml_q8_params* params, int8_t* output);
void tml_conv2d_sparse_s8(const int8_t* input, const tml_conv_shape* shape, const uint8_t* mask, const int8_t* values,
                          const int32_t* bias, const int32_t* requant,
                          const tml_q8_params* params, int8_t* output);
void tml_depthwise_conv2d_s4(const int8_t* input, const tml_conv_shape* shape, const uint8_t* packed_weights,
                             const int32_t* bias, const int32_t* requant,
                             const tml_q8_params* params, int8_t* output);
void tml_depthwise_conv2d_codebook_s8(const int8_t* input, const tml_conv_shape* shape, const uint8_t* packed_indices,
                                      const int8_t* codebook, const int32_t* bias, const int32_t* requant,
                                      const tml_q8_params* params, int8_t* output);

/* Compressed weights with float32 activations (weight-only compression);
 * layouts as for the f32 kernels.
 *   f16w  IEEE binary16 bit patterns, converted exactly by tml_f16_to_f32:
 *         the result equals the f32 kernel's on the converted weights.
 *   w8    int8 weights and one float scale per output channel:
 *         out = clamp(bias[o] + scales[o] * sum in * w, act_min, act_max),
 *         the sum taken in float32 in the f32 kernel's order. */
void tml_conv2d_f16w(const float* input, const tml_conv_shape* shape, const uint16_t* weights, const float* bias,
                     float act_min, float act_max, float* output);
void tml_conv2d_w8(const float* input, const tml_conv_shape* shape, const int8_t* weights, const float* scales,
                   const float* bias, float act_min, float act_max, float* output);
void tml_depthwise_conv2d_f16w(const float* input, const tml_conv_shape* shape, const uint16_t* weights,
                               const float* bias, float act_min, float act_max, float* output);
void tml_depthwise_conv2d_w8(const float* input, const tml_conv_shape* shape, const int8_t* weights,
                             const float* scales, const float* bias, float act_min, float act_max, float* output);

#ifdef __cplusplus
}
#endif

#endif /* TML_CONV_H */

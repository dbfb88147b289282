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
 * (may be NULL). output[(oy * out_w + ox) * out_c + f]. */
void tml_conv2d_f32(const float* input, const tml_conv_shape* shape, const float* weights, const float* bias,
                    float act_min, float act_max, float* output);
void tml_conv2d_s8(const int8_t* input, const tml_conv_shape* shape, const int8_t* weights,
                   const int32_t* bias, const tml_requant* requant, const tml_q8_params* params,
                   int8_t* output);
/* int16x8 (tml_common.h): int16 input and output, int8 weights, int64 bias
 * (may be NULL; |bias[f]| <= 2^62); padded taps contribute zero. */
void tml_conv2d_s16(const int16_t* input, const tml_conv_shape* shape, const int8_t* weights,
                    const int64_t* bias, const tml_requant* requant, const tml_q16_params* params,
                    int16_t* output);

/* DepthwiseConv2D with out_c = in_c * M: output channel c * M + m sees input
 * channel c only. weights[ky][kx][c * M + m]; bias[out_c] (may be NULL). */
void tml_depthwise_conv2d_f32(const float* input, const tml_conv_shape* shape, const float* weights,
                              const float* bias, float act_min, float act_max, float* output);
void tml_depthwise_conv2d_s8(const int8_t* input, const tml_conv_shape* shape, const int8_t* weights,
                             const int32_t* bias, const tml_requant* requant, const tml_q8_params* params,
                             int8_t* output);
void tml_depthwise_conv2d_s16(const int16_t* input, const tml_conv_shape* shape, const int8_t* weights,
                              const int64_t* bias, const tml_requant* requant, const tml_q16_params* params,
                              int16_t* output);

#ifdef __cplusplus
}
#endif

#endif /* TML_CONV_H */

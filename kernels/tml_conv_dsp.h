/* Conv2D and DepthwiseConv2D int8 for targets with the Cortex-M DSP extension
 * (tml_arm_dsp.h): the same integers as tml_conv2d_s8 and
 * tml_depthwise_conv2d_s8. Selected by the kernel table for KernelFeatures
 * kArmDsp. */
#ifndef TML_CONV_DSP_H
#define TML_CONV_DSP_H

#include "tml_conv.h"

#ifdef __cplusplus
extern "C" {
#endif

/* As tml_conv2d_s8, whose parameters and result it has. REQUIRES the weights
 * in the data address space (not AVR flash), and, as there, that no partial
 * sum of bias[f] + sum (x - zero_point) * w overflows int32. In the
 * channels-last layout each filter is one run of bytes, and so are the taps of
 * one kernel row inside the image: a filter of up to 256 bytes has a pixel's
 * taps copied into 256 bytes of stack (padded taps as the input zero point, so
 * that they add nothing) and multiplied as one run; a larger one, each kernel
 * row's run in place (padded taps left out, as in the reference). */
void tml_conv2d_s8_dsp(const int8_t* input, const tml_conv_shape* shape, const int8_t* weights, const int32_t* bias,
                       const int32_t* requant, const tml_q8_params* params, int8_t* output);

/* As tml_depthwise_conv2d_s8, whose parameters and result it has (REQUIRES as
 * tml_conv2d_s8_dsp). With one output channel per input channel, four
 * channels per tap and step: a word of inputs and a word of weights, widened
 * into pairs, and SMLABB / SMLATT into each channel's own sum; other
 * multipliers, and the last one to three channels, one at a time. */
void tml_depthwise_conv2d_s8_dsp(const int8_t* input, const tml_conv_shape* shape, const int8_t* weights,
                                 const int32_t* bias, const int32_t* requant, const tml_q8_params* params,
                                 int8_t* output);

#ifdef __cplusplus
}
#endif

#endif /* TML_CONV_DSP_H */

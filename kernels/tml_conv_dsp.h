/* Conv2D int8 for targets with the Cortex-M DSP extension (tml_arm_dsp.h): the
 * same integers as tml_conv2d_s8, four output channels and four inputs per
 * step with SMLAD. Selected by the kernel table for KernelFeatures kArmDsp. */
#ifndef TML_CONV_DSP_H
#define TML_CONV_DSP_H

#include "tml_conv.h"

#ifdef __cplusplus
extern "C" {
#endif

/* As tml_conv2d_s8, whose parameters and result it has. REQUIRES the weights
 * in the data address space (not AVR flash), and, as there, that no partial
 * sum of bias[f] + sum (x - zero_point) * w overflows int32. Needs no scratch
 * memory: in the channels-last layout the taps of one kernel row that lie
 * inside the image are one contiguous run of the input and of each filter, so
 * each output pixel is at most kernel_h dot products of those runs (padded taps,
 * whose x - zero_point is 0, are left out, as in the reference). */
void tml_conv2d_s8_dsp(const int8_t* input, const tml_conv_shape* shape, const int8_t* weights, const int32_t* bias,
                       const int32_t* requant, const tml_q8_params* params, int8_t* output);

#ifdef __cplusplus
}
#endif

#endif /* TML_CONV_DSP_H */

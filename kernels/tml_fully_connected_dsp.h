/* Fully connected int8 for targets with the Cortex-M DSP extension
 * (tml_arm_dsp.h): the same integers as tml_fully_connected_s8, two outputs and
 * four inputs per step with SMLAD (two 16x16 multiply-accumulates per
 * instruction). Selected by the kernel table for KernelFeatures kArmDsp. */
#ifndef TML_FULLY_CONNECTED_DSP_H
#define TML_FULLY_CONNECTED_DSP_H

#include "tml_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* As tml_fully_connected_s8, whose parameters and result it has. REQUIRES the
 * weights in the data address space (not AVR flash), and, as there, that no
 * partial sum of bias[o] + sum (x - zero_point) * w overflows int32. */
void tml_fully_connected_s8_dsp(const int8_t* input, int in_features, const int8_t* weights, const int32_t* bias,
                                int out_features, const int32_t* requant, const tml_q8_params* params,
                                int8_t* output);

#ifdef __cplusplus
}
#endif

#endif /* TML_FULLY_CONNECTED_DSP_H */

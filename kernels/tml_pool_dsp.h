/* Max pooling int8 for targets with the Cortex-M DSP extension (tml_arm_dsp.h):
 * the same bytes as tml_max_pool_s8, four channels per step with SSUB8 and SEL
 * (a bytewise signed maximum in two instructions). Selected by the kernel table
 * for KernelFeatures kArmDsp. */
#ifndef TML_POOL_DSP_H
#define TML_POOL_DSP_H

#include "tml_pool.h"

#ifdef __cplusplus
extern "C" {
#endif

/* As tml_max_pool_s8, whose parameters and result it has. */
void tml_max_pool_s8_dsp(const int8_t* input, const tml_pool_shape* shape, int8_t* output);

#ifdef __cplusplus
}
#endif

#endif /* TML_POOL_DSP_H */

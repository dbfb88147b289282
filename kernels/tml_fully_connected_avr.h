/* Fully connected int8 for 8-bit AVR cores with the hardware multiplier
 * (ATmega): the same integers as tml_fully_connected_s8, with one 8x8 -> 16-bit
 * multiply per MAC. The reference multiplies (x - zero_point), a 9-bit value,
 * by w, which avr-gcc does with a 16x16 -> 32-bit library routine per MAC; here
 * the zero point is taken out of the sum:
 *   bias + sum (x - zero_point) * w = bias + sum x * w - zero_point * sum w
 * Selected by the kernel table for KernelFeatures kAvrMul. */
#ifndef TML_FULLY_CONNECTED_AVR_H
#define TML_FULLY_CONNECTED_AVR_H

#include "tml_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* As tml_fully_connected_s8, whose parameters and result it has (weights and
 * other constants read through TML_LD_*, so from flash on AVR). REQUIRES, as
 * DeployModel::validate does, |bias| + 255 * sum |w| <= 2^31 - 1 for every
 * output: then neither bias + sum x * w (|x * w| <= 128 * |w|) nor
 * zero_point * sum w overflows. */
void tml_fully_connected_s8_avr(const int8_t* input, int in_features, const int8_t* weights, const int32_t* bias,
                                int out_features, const int32_t* requant, const tml_q8_params* params,
                                int8_t* output);

#ifdef __cplusplus
}
#endif

#endif /* TML_FULLY_CONNECTED_AVR_H */

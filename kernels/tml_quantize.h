/* Conversions between float32 and int8 or int16 at the model's edges. */
#ifndef TML_QUANTIZE_H
#define TML_QUANTIZE_H

#include "tml_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* q = clamp(round_half_away(x / scale) + zero_point, -128, 127), computed as
 * x * inv_scale with inv_scale = 1 / scale given by the caller (so that no
 * division happens per value and host and device use the same float). */
void tml_quantize_s8(const float* input, int count, float inv_scale, int32_t zero_point, int8_t* output);

/* x = scale * (q - zero_point). */
void tml_dequantize_s8(const int8_t* input, int count, float scale, int32_t zero_point, float* output);

/* int16 (zero point 0): q = clamp(round_half_away(x * inv_scale), -32768, 32767),
 * NaN to 0, as tml_quantize_s8. */
void tml_quantize_s16(const float* input, int count, float inv_scale, int16_t* output);

/* x = scale * q. */
void tml_dequantize_s16(const int16_t* input, int count, float scale, float* output);

#ifdef __cplusplus
}
#endif

#endif /* TML_QUANTIZE_H */

#include "tml_quantize.h"

void tml_quantize_s8(const float* input, int count, float inv_scale, int32_t zero_point, int8_t* output) {
  for (int i = 0; i < count; ++i) {
    float scaled = input[i] * inv_scale;
    /* Round half away from zero without libm; values far outside int8 saturate
     * and NaN (the only value unequal to itself) maps to the zero point. */
    if (scaled != scaled) scaled = 0.0f;
    if (scaled > 1.0e6f) scaled = 1.0e6f;
    if (scaled < -1.0e6f) scaled = -1.0e6f;
    /* Truncate, then step away from zero when the dropped fraction is at least
     * one half; the fraction is exact for |scaled| <= 1e6 < 2^23. (Adding 0.5f
     * first would round 0.49999997f up to 1.) */
    int32_t rounded = (int32_t)scaled;
    const float fraction = scaled - (float)rounded;
    if (fraction >= 0.5f) ++rounded;
    if (fraction <= -0.5f) --rounded;
    output[i] = (int8_t)tml_clamp(rounded + zero_point, -128, 127);
  }
}

void tml_dequantize_s8(const int8_t* input, int count, float scale, int32_t zero_point, float* output) {
  for (int i = 0; i < count; ++i) output[i] = scale * (float)((int32_t)input[i] - zero_point);
}

#include "tml_quantize.h"

/* round_half_away(x), computed for x within [-limit, limit] (limit <= 1e6):
 * beyond it x is taken as +-limit, which the callers' clamps saturate to the
 * same integer; NaN gives 0. */
static int32_t round_half_away(float x, float limit) {
  /* Without libm. Two compares in the common case: NaN, the only value
   * unequal to itself, fails the first. */
  if (!(x >= -limit)) {
    x = x != x ? 0.0f : -limit;
  } else if (x > limit) {
    x = limit;
  }
  /* Truncate, then step away from zero when the dropped fraction is at least
   * one half; the fraction is exact for |x| <= 1e6 < 2^23. (Adding 0.5f first
   * would round 0.49999997f up to 1.) */
  int32_t rounded = (int32_t)x;
  const float fraction = x - (float)rounded;
  if (fraction >= 0.5f) {
    ++rounded;
  } else if (fraction <= -0.5f) {
    --rounded;
  }
  return rounded;
}

void tml_quantize_s8(const float* input, int count, float inv_scale, int32_t zero_point, int8_t* output) {
  for (int i = 0; i < count; ++i) {
    /* Beyond +-256 the sum with any zero point in [-128, 127] saturates. */
    output[i] = (int8_t)tml_clamp(round_half_away(input[i] * inv_scale, 256.0f) + zero_point, -128, 127);
  }
}

void tml_dequantize_s8(const int8_t* input, int count, float scale, int32_t zero_point, float* output) {
  for (int i = 0; i < count; ++i) output[i] = scale * (float)((int32_t)input[i] - zero_point);
}

void tml_quantize_s16(const float* input, int count, float inv_scale, int16_t* output) {
  for (int i = 0; i < count; ++i) output[i] = (int16_t)tml_clamp(round_half_away(input[i] * inv_scale, 65536.0f), -32768, 32767);
}

void tml_dequantize_s16(const int16_t* input, int count, float scale, float* output) {
  for (int i = 0; i < count; ++i) output[i] = scale * (float)input[i];
}

#include <math.h>

#include "tml_activation.h"

/* e^x to within 2 ulp for x in [-87.3, 88.7] (0 below, +inf above, NaN
 * stays NaN), without libm's expf, which costs ~600 bytes of flash on a
 * Cortex-M4. Cody-Waite reduction x = k ln2 + r with |r| <= ln2/2, e^r by its
 * degree-7 Taylor polynomial (truncation error < 6e-9 relative), and 2^k built
 * from the exponent bits. */
static float tml_expf(float x) {
  if (x != x) return x;
  if (x > 88.72f) return 3.4028235e38f * 2.0f;
  if (x < -87.3f) return 0.0f;
  const float kx = x * 1.44269504f; /* log2(e) */
  int32_t k = (int32_t)(kx < 0.0f ? kx - 0.5f : kx + 0.5f);
  /* ln2 split so that k * 0.693145752f is exact for |k| <= 127. */
  const float r = (x - (float)k * 0.693145752f) - (float)k * 1.42860677e-6f;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  /* 2^k as a float; k is in [-126, 128] here and 2^128 is not a float. */
  if (k == 128) {
    p *= 2.0f;
    k = 127;
  }
  union {
    uint32_t bits;
    float value;
  } scale;
  scale.bits = (uint32_t)(k + 127) << 23;
  return p * scale.value;
}

/* log(1 + e^x) with expf and logf only (avr-libc has no log1pf): for x < -5
 * the series e - e^2/2 (error below e^3/3), else logf(1 + e^x). */
static float softplus(float x) {
  if (x > 20.0f) return x;
  if (x < -5.0f) {
    const float e = tml_expf(x);
    return e - 0.5f * e * e;
  }
  return logf(1.0f + tml_expf(x));
}

static float activate(float x, tml_activation function, float alpha) {
  switch (function) {
    case TML_ACT_RELU: return x > 0.0f ? x : 0.0f;
    case TML_ACT_RELU6: return x < 0.0f ? 0.0f : (x > 6.0f ? 6.0f : x);
    case TML_ACT_LEAKY_RELU: return x > 0.0f ? x : alpha * x;
    case TML_ACT_ELU: return x > 0.0f ? x : alpha * (tml_expf(x) - 1.0f);
    case TML_ACT_SIGMOID: return 1.0f / (1.0f + tml_expf(-x));
    case TML_ACT_TANH: return tanhf(x);
    case TML_ACT_SOFTPLUS: return softplus(x);
    case TML_ACT_SWISH: return x / (1.0f + tml_expf(-x));
    case TML_ACT_LINEAR:
    default: return x;
  }
}

void tml_activation_f32(const float* input, int count, tml_activation function, float alpha, float* output) {
  for (int i = 0; i < count; ++i) output[i] = activate(input[i], function, alpha);
}

void tml_softmax_f32(const float* input, int count, float* output) {
  float max = input[0];
  for (int i = 1; i < count; ++i) max = input[i] > max ? input[i] : max;
  float sum = 0.0f;
  for (int i = 0; i < count; ++i) {
    output[i] = tml_expf(input[i] - max);
    sum += output[i];
  }
  for (int i = 0; i < count; ++i) output[i] /= sum;
}

#include <math.h>

#include "tml_activation.h"

/* log(1 + e^x) with expf and logf only (avr-libc has no log1pf): for x < -5
 * the series e - e^2/2 (error below e^3/3), else logf(1 + e^x). */
static float softplus(float x) {
  if (x > 20.0f) return x;
  if (x < -5.0f) {
    const float e = expf(x);
    return e - 0.5f * e * e;
  }
  return logf(1.0f + expf(x));
}

static float activate(float x, tml_activation function, float alpha) {
  switch (function) {
    case TML_ACT_RELU: return x > 0.0f ? x : 0.0f;
    case TML_ACT_RELU6: return x < 0.0f ? 0.0f : (x > 6.0f ? 6.0f : x);
    case TML_ACT_LEAKY_RELU: return x > 0.0f ? x : alpha * x;
    case TML_ACT_ELU: return x > 0.0f ? x : alpha * (expf(x) - 1.0f);
    case TML_ACT_SIGMOID: return 1.0f / (1.0f + expf(-x));
    case TML_ACT_TANH: return tanhf(x);
    case TML_ACT_SOFTPLUS: return softplus(x);
    case TML_ACT_SWISH: return x / (1.0f + expf(-x));
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
    output[i] = expf(input[i] - max);
    sum += output[i];
  }
  for (int i = 0; i < count; ++i) output[i] /= sum;
}

/* Element-wise activations and softmax.
 *
 * int8: every activation other than the ReLU family (fused into the previous
 * op's clamp) is a 256-entry lookup table built on the host from the input and
 * output quantization: table[q + 128] = quantize(f(dequantize(q))). The device
 * then does no floating point for it, and host and device agree by construction.
 *
 * int16 (zero point 0): a table of every input would take 128 KiB, so the
 * function is sampled at every 128th input and interpolated linearly between
 * (TFLite's 16x8 approach): 513 entries (1026 bytes),
 *   table[j] = quantize(f(input_scale * (128 * j - 32768))),  j = 0..512
 * (entry 512 samples q = 32768, just past the int16 range, to close the last
 * interval). Exact at the samples; in between the error is the interpolation
 * error, at most h^2/8 * max|f''| for the step h = 128 * input_scale, plus one
 * output step of rounding. Kinks (ReLU-like functions) sit at q = 0, a sample.
 *
 * float32 activations live in tml_activation_f32.c, the only kernel file that
 * needs <math.h>. */
#ifndef TML_ACTIVATION_H
#define TML_ACTIVATION_H

#include "tml_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* output[i] = table[input[i] + 128]. input and output may be the same buffer. */
void tml_lookup_s8(const int8_t* input, int count, const int8_t* table, int8_t* output);

/* int16 table lookup with linear interpolation: for u = input[i] + 32768,
 * j = u / 128 and t = u % 128,
 *   output[i] = table[j] + floor(((table[j+1] - table[j]) * t + 64) / 128)
 * (the interpolated value rounded half up; it lies between table[j] and
 * table[j+1], so it is an int16). table has 513 entries. In place is allowed. */
void tml_lookup_s16(const int16_t* input, int count, const int16_t* table, int16_t* output);

/* The activation functions of the float engine (same numbering as the table
 * builder on the host). alpha: LeakyReLU slope / ELU scale. */
typedef enum {
  TML_ACT_LINEAR = 0,
  TML_ACT_RELU = 1,
  TML_ACT_RELU6 = 2,
  TML_ACT_LEAKY_RELU = 3,
  TML_ACT_ELU = 4,
  TML_ACT_SIGMOID = 5,
  TML_ACT_TANH = 6,
  TML_ACT_SOFTPLUS = 7,
  TML_ACT_SWISH = 8
} tml_activation;

/* In place is allowed. */
void tml_activation_f32(const float* input, int count, tml_activation function, float alpha, float* output);

/* Softmax over `count` values, max-subtracted for stability. In place is allowed. */
void tml_softmax_f32(const float* input, int count, float* output);

#ifdef __cplusplus
}
#endif

#endif /* TML_ACTIVATION_H */

// The host-side arithmetic that turns real scales into the integer parameters
// of kernels/tml_common.h. Used by the reference engine and by code generation,
// so both hand the kernels the same numbers.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "tml_common.h"
#include "tinymlops/runtime/deploy_model.h"

namespace tinymlops {

// m = multiplier * 2^(shift - 31) with multiplier in [2^30, 2^31): frexp of m,
// mantissa rounded to 24 bits (float32 precision) and stored in bits 7..30, so
// that the shift fits below it (tml_pack_requant). m = 0 gives {0, 0}.
// Multipliers below 2^-31 are flushed to 0; above 2^30 they saturate (neither
// occurs with sane scales).
tml_requant requant_from_real(double m);

// The requantization of each output channel of an int8 or int16x8 FC/conv op:
// input_scale * weight_scale[c] / output_scale.
std::vector<tml_requant> op_requant(const DeployModel& model, const DeployOp& op);

// op_requant as the kernels read it: one packed int32 per output channel
// (kernels/tml_common.h's tml_pack_requant and tml_load_requant).
std::vector<int32_t> op_requant_packed(const DeployModel& model, const DeployOp& op);

// Zero points and the clamp of an int8 FC/conv op (fused ReLU/ReLU6 included).
tml_q8_params op_q8_params(const DeployModel& model, const DeployOp& op);

// The table of an int8 kLookup op: entry q + 128 = quantize(f(dequantize(q))).
std::array<int8_t, 256> lookup_table(const DeployModel& model, const DeployOp& op);

// The clamp of an int16x8 FC/conv op: [-32768, 32767], ReLU from 0, ReLU6 up
// to round(6 / output_scale) (at most 32767).
tml_q16_params op_q16_params(const DeployModel& model, const DeployOp& op);

// The 513-entry table of an int16 kLookup op (kernels/tml_activation.h):
// entry j = quantize_s16(f(input_scale * (128 j - 32768)), output_scale).
std::vector<int16_t> lookup_table_s16(const DeployModel& model, const DeployOp& op);

// Float clamp of a float32 FC/conv op from its fused activation.
void float_clamp(DeployActivation activation, float* low, float* high);

// The binary16 bit pattern nearest to x (ties to even; overflow to infinity).
uint16_t float_to_half(float x);

// Whether every offset and scale of `normalization` is zero or a normal
// binary16 value, so that code generation stores each in 16 bits exactly
// (decoded exactly by shifting the bits and multiplying by 2^112). False for kNone.
bool normalization_is_half(const Normalization& normalization);

// Rounds every offset and scale to the nearest binary16 value when all of them
// then are zero or normal (else leaves `normalization` unchanged). For models
// whose input is quantized to int8 right after normalization: the rounding moves
// a normalized value by at most 2^-11 of its size (|offset * scale| + |raw *
// scale| steps of 2^-11), far below the int8 step, and halves the flash the
// normalization takes in generated code. Host and device then use the same
// values, so outputs stay identical.
void round_normalization_to_half(Normalization& normalization);

// q = clamp(round_half_away(x / scale) + zero_point, -128, 127), as tml_quantize_s8.
int8_t quantize_value(float x, float scale, int32_t zero_point);

// q = clamp(round_half_away(x / scale), -32768, 32767), as tml_quantize_s16.
int16_t quantize_value_s16(float x, float scale);

}  // namespace tinymlops

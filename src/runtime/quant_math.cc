#include "tinymlops/runtime/quant_math.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "tml_quantize.h"

namespace tinymlops {

namespace {

const DeployTensor& at(const DeployModel& model, int index) { return model.tensors[static_cast<size_t>(index)]; }

double real_activation(DeployActivation f, double x, double alpha) {
  switch (f) {
    case DeployActivation::kLinear: return x;
    case DeployActivation::kRelu: return x > 0 ? x : 0;
    case DeployActivation::kRelu6: return std::min(std::max(x, 0.0), 6.0);
    case DeployActivation::kLeakyRelu: return x > 0 ? x : alpha * x;
    case DeployActivation::kElu: return x > 0 ? x : alpha * (std::exp(x) - 1);
    case DeployActivation::kSigmoid: return 1 / (1 + std::exp(-x));
    case DeployActivation::kTanh: return std::tanh(x);
    case DeployActivation::kSoftplus: return x > 20 ? x : std::log1p(std::exp(x));
    case DeployActivation::kSwish: return x / (1 + std::exp(-x));
  }
  return x;
}

}  // namespace

tml_requant requant_from_real(double m) {
  if (m <= 0 || !std::isfinite(m)) return {0, 0};
  int exponent = 0;
  const double mantissa = std::frexp(m, &exponent);  // m = mantissa * 2^exponent, mantissa in [0.5, 1)
  // 24 significant bits (* 2^24), placed at bits 7..30 (* 2^7).
  int64_t q = static_cast<int64_t>(std::llround(mantissa * 16777216.0));
  if (q == (int64_t{1} << 24)) {
    q /= 2;
    ++exponent;
  }
  if (exponent < -31) return {0, 0};
  if (exponent > 30) return {static_cast<int32_t>(((int64_t{1} << 24) - 1) << 7), 30};
  return {static_cast<int32_t>(q << 7), exponent};
}

std::vector<tml_requant> op_requant(const DeployModel& model, const DeployOp& op) {
  const DeployTensor& x = at(model, op.inputs[0]);
  const DeployTensor& w = at(model, op.inputs[1]);
  const DeployTensor& y = at(model, op.output);
  std::vector<tml_requant> out;
  for (float ws : w.scales) {
    out.push_back(requant_from_real(static_cast<double>(x.scales[0]) * ws / y.scales[0]));
  }
  return out;
}

std::vector<int32_t> op_requant_packed(const DeployModel& model, const DeployOp& op) {
  std::vector<int32_t> packed;
  for (const tml_requant& r : op_requant(model, op)) packed.push_back(tml_pack_requant(r));
  return packed;
}

tml_q8_params op_q8_params(const DeployModel& model, const DeployOp& op) {
  const DeployTensor& x = at(model, op.inputs[0]);
  const DeployTensor& y = at(model, op.output);
  tml_q8_params p{x.zero_point, y.zero_point, -128, 127};
  if (op.activation == DeployActivation::kRelu || op.activation == DeployActivation::kRelu6) {
    p.act_min = std::max(-128, y.zero_point);
  }
  if (op.activation == DeployActivation::kRelu6) {
    p.act_max = std::min<int32_t>(127, y.zero_point + static_cast<int32_t>(std::lround(6.0 / y.scales[0])));
  }
  return p;
}

std::array<int8_t, 256> lookup_table(const DeployModel& model, const DeployOp& op) {
  const DeployTensor& x = at(model, op.inputs[0]);
  const DeployTensor& y = at(model, op.output);
  std::array<int8_t, 256> table{};
  for (int q = -128; q <= 127; ++q) {
    const double real = static_cast<double>(x.scales[0]) * (q - x.zero_point);
    const double out = real_activation(op.activation, real, op.alpha);
    table[static_cast<size_t>(q + 128)] = quantize_value(static_cast<float>(out), y.scales[0], y.zero_point);
  }
  return table;
}

tml_q16_params op_q16_params(const DeployModel& model, const DeployOp& op) {
  const DeployTensor& y = at(model, op.output);
  tml_q16_params p{-32768, 32767};
  if (op.activation == DeployActivation::kRelu || op.activation == DeployActivation::kRelu6) p.act_min = 0;
  if (op.activation == DeployActivation::kRelu6) {
    p.act_max = static_cast<int32_t>(std::min<long>(32767, std::lround(6.0 / y.scales[0])));
  }
  return p;
}

std::vector<int16_t> lookup_table_s16(const DeployModel& model, const DeployOp& op) {
  const DeployTensor& x = at(model, op.inputs[0]);
  const DeployTensor& y = at(model, op.output);
  std::vector<int16_t> table(513);
  for (int j = 0; j <= 512; ++j) {
    const double real = static_cast<double>(x.scales[0]) * (128 * j - 32768);
    const double out = real_activation(op.activation, real, op.alpha);
    table[static_cast<size_t>(j)] = quantize_value_s16(static_cast<float>(out), y.scales[0]);
  }
  return table;
}

void float_clamp(DeployActivation activation, float* low, float* high) {
  *low = activation == DeployActivation::kLinear ? -std::numeric_limits<float>::max() : 0.0f;
  *high = activation == DeployActivation::kRelu6 ? 6.0f : std::numeric_limits<float>::max();
}

uint16_t float_to_half(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000);
  const uint32_t exponent = (bits >> 23) & 0xFF;
  const uint32_t mantissa = bits & 0x7FFFFF;
  if (exponent == 0xFF) return static_cast<uint16_t>(sign | 0x7C00 | (mantissa ? 0x200 : 0));  // inf / NaN
  const int e = static_cast<int>(exponent) - 127 + 15;
  if (e >= 31) return static_cast<uint16_t>(sign | 0x7C00);  // overflow
  // Shift the 24-bit significand down to 11 bits (normal) or fewer (subnormal),
  // rounding to nearest, ties to even.
  const uint32_t significand = exponent ? (mantissa | 0x800000) : mantissa;
  const int shift = e >= 1 ? 13 : 14 - e;
  if (shift > 24) return sign;
  uint32_t half = significand >> shift;
  const uint32_t rest = significand & ((1u << shift) - 1), halfway = 1u << (shift - 1);
  if (rest > halfway || (rest == halfway && (half & 1))) ++half;
  // Normal: re-add the exponent (the implicit bit becomes exponent + 1 on
  // overflow of the mantissa, which is exactly right). Subnormal: as is.
  const uint32_t biased = e >= 1 ? (static_cast<uint32_t>(e - 1) << 10) + half : half;
  return static_cast<uint16_t>(sign | std::min<uint32_t>(biased, 0x7C00));
}

int8_t quantize_value(float x, float scale, int32_t zero_point) {
  int8_t q = 0;
  tml_quantize_s8(&x, 1, 1.0f / scale, zero_point, &q);
  return q;
}

int16_t quantize_value_s16(float x, float scale) {
  int16_t q = 0;
  tml_quantize_s16(&x, 1, 1.0f / scale, &q);
  return q;
}

namespace {

// x rounded to binary16 and back, or NaN unless that is x's zero or a normal
// binary16 value (not a subnormal, an infinity, or a nonzero x rounded to 0).
float half_or_nan(float x) {
  const uint16_t half = float_to_half(x);
  const uint16_t exponent = static_cast<uint16_t>((half >> 10) & 0x1F);
  const bool zero = (half & 0x7FFF) == 0;
  if (zero ? x != 0.0f : (exponent == 0 || exponent == 0x1F)) return std::numeric_limits<float>::quiet_NaN();
  return tml_f16_to_f32(half);
}

template <typename F>
bool all_values(const Normalization& n, F f) {
  for (Eigen::Index i = 0; i < n.offset.size(); ++i) {
    if (!f(n.offset[i]) || !f(n.scale[i])) return false;
  }
  return true;
}

}  // namespace

bool normalization_is_half(const Normalization& normalization) {
  if (normalization.kind == NormalizationKind::kNone) return false;
  return all_values(normalization, [](float v) { return half_or_nan(v) == v; });
}

void round_normalization_to_half(Normalization& normalization) {
  if (normalization.kind == NormalizationKind::kNone) return;
  if (!all_values(normalization, [](float v) { return !std::isnan(half_or_nan(v)); })) return;
  for (Eigen::Index i = 0; i < normalization.offset.size(); ++i) {
    normalization.offset[i] = half_or_nan(normalization.offset[i]);
    normalization.scale[i] = half_or_nan(normalization.scale[i]);
  }
}

}  // namespace tinymlops

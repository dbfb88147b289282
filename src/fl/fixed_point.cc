// The fixed-point encoding of secure aggregation inputs, and its parameters.
#include <cmath>
#include <string>

#include "tinymlops/core/error.h"
#include "tinymlops/fl/secure_aggregation.h"

namespace tinymlops::fl {

void validate_secagg_params(const SecAggParams& params) {
  if (params.threshold < 2) {
    throw Error(ErrorKind::kInvalid, "threshold",
                "must be >= 2 (with 1, every share is the secret itself), got " + std::to_string(params.threshold));
  }
  if (params.threshold > 255) {
    throw Error(ErrorKind::kInvalid, "threshold", "must be <= 255 clients, got " + std::to_string(params.threshold));
  }
  if (params.frac_bits < 0 || params.frac_bits > 30) {
    throw Error(ErrorKind::kInvalid, "frac_bits", "must be in [0, 30], got " + std::to_string(params.frac_bits));
  }
  if (params.vector_size < 1 || params.vector_size > (size_t{1} << 28)) {
    throw Error(ErrorKind::kInvalid, "vector_size", "must be in [1, 2^28], got " + std::to_string(params.vector_size));
  }
}

std::vector<uint32_t> encode_fixed_point(const Weights& values, int frac_bits) {
  if (frac_bits < 0 || frac_bits > 30) {
    throw Error(ErrorKind::kInvalid, "frac_bits", "must be in [0, 30], got " + std::to_string(frac_bits));
  }
  const double scale = std::ldexp(1.0, frac_bits);
  const double limit = std::ldexp(1.0, 31);  // |round(x * scale)| < 2^31
  std::vector<uint32_t> encoded(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const double scaled = std::round(static_cast<double>(values[i]) * scale);
    if (!(std::fabs(scaled) < limit)) {
      throw Error(ErrorKind::kInvalid, "value[" + std::to_string(i) + "]",
                  std::to_string(values[i]) + " is outside the fixed-point range (-" + std::to_string(limit / scale) +
                      ", " + std::to_string(limit / scale) + ") of frac_bits " + std::to_string(frac_bits));
    }
    // Conversion of a negative integer to uint32 is modulo 2^32: two's complement.
    encoded[i] = static_cast<uint32_t>(static_cast<int64_t>(scaled));
  }
  return encoded;
}

Weights decode_fixed_point(const std::vector<uint32_t>& encoded, int frac_bits) {
  if (frac_bits < 0 || frac_bits > 30) {
    throw Error(ErrorKind::kInvalid, "frac_bits", "must be in [0, 30], got " + std::to_string(frac_bits));
  }
  const double scale = std::ldexp(1.0, -frac_bits);
  Weights values(encoded.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    values[i] = static_cast<float>(static_cast<int32_t>(encoded[i]) * scale);  // modulo 2^32 since C++20
  }
  return values;
}

}  // namespace tinymlops::fl

// Choosing the real range [low, high] that an int8 activation tensor covers,
// from the values it took on a calibration set.
#pragma once

#include <string>
#include <vector>

namespace tinymlops {

enum class Calibration {
  kMinMax,      // the observed minimum and maximum
  kPercentile,  // the 0.01% and 99.99% quantiles (outliers clipped)
  kMse,         // the clipping of [min, max] that minimizes the int8 round-trip error
  kKl,          // the clipping that minimizes the KL divergence of the histograms (TensorRT's entropy method)
};
const char* calibration_name(Calibration calibration);        // "minmax", "percentile", "mse", "kl"
Calibration parse_calibration(const std::string& name);       // throws Error(kUsage)

struct QuantRange {
  float low = 0, high = 0;  // low <= 0 <= high (zero is always representable)
};

// REQUIRES: values non-empty and finite.
QuantRange choose_range(std::vector<float> values, Calibration calibration);

// Asymmetric int8 parameters covering `range`: scale = (high - low) / 255 and
// the zero point that maps `low` to -128 (rounded, clamped to int8). A range of
// zero width gets scale 1.
void int8_params(const QuantRange& range, float* scale, int32_t* zero_point);

// Symmetric int16 scale covering `range` (int16x8, zero point 0):
// max(-low, high) / 32767; a range of zero width gets scale 1.
float int16_scale(const QuantRange& range);

}  // namespace tinymlops

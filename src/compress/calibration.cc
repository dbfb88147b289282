#include "tinymlops/compress/calibration.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "tinymlops/core/error.h"

namespace tinymlops {

namespace {

constexpr const char* kNames[] = {"minmax", "percentile", "mse", "kl"};

QuantRange with_zero(float low, float high) { return {std::min(low, 0.0f), std::max(high, 0.0f)}; }

// Mean squared error of quantizing `values` to int8 over `range`.
double round_trip_error(const std::vector<float>& values, const QuantRange& range) {
  float scale = 1;
  int32_t zero_point = 0;
  int8_params(range, &scale, &zero_point);
  double sum = 0;
  for (float v : values) {
    double q = std::clamp(std::round(static_cast<double>(v) / scale) + zero_point, -128.0, 127.0);
    double back = scale * (q - zero_point);
    sum += (v - back) * (v - back);
  }
  return sum / static_cast<double>(values.size());
}

// Candidate ranges: [min, max] shrunk by factors 1, 0.99, ... 0.2 toward zero.
template <typename Cost>
QuantRange best_clipping(const std::vector<float>& values, Cost cost) {
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  const QuantRange full = with_zero(*lo, *hi);
  QuantRange best = full;
  double best_cost = cost(full);
  for (int step = 1; step <= 80; ++step) {
    const float factor = 1.0f - 0.01f * static_cast<float>(step);
    const QuantRange candidate{full.low * factor, full.high * factor};
    const double c = cost(candidate);
    if (c < best_cost) best_cost = c, best = candidate;
  }
  return best;
}

// KL divergence (TensorRT's entropy calibration, for asymmetric ranges): P is
// the histogram of `values` (4096 bins over the full range) restricted to
// `range` with the clipped outliers added to its edge bins; Q is the same
// restriction without the outliers, reduced to 256 levels (each level's mass
// spread evenly over its non-empty bins). Clipping too much makes P's edge bins
// heavy where Q's are not; clipping too little leaves too few levels for the
// bulk of the values. Ranges keep at least 819 bins (factor 0.2), so each level
// spans several bins.
double kl_cost(const std::vector<float>& values, const QuantRange& full, const QuantRange& range) {
  constexpr int kBins = 4096;
  const double width = (static_cast<double>(full.high) - full.low) / kBins;
  if (width <= 0) return 0;
  std::vector<double> histogram(kBins, 0.0);
  for (float v : values) {
    int bin = std::clamp(static_cast<int>((v - full.low) / width), 0, kBins - 1);
    histogram[static_cast<size_t>(bin)] += 1;
  }
  const int first = std::clamp(static_cast<int>((range.low - full.low) / width), 0, kBins - 1);
  const int last = std::clamp(static_cast<int>((range.high - full.low) / width), first, kBins - 1);
  std::vector<double> inside(histogram.begin() + first, histogram.begin() + last + 1);
  std::vector<double> p = inside;
  for (int b = 0; b < first; ++b) p.front() += histogram[static_cast<size_t>(b)];
  for (int b = last + 1; b < kBins; ++b) p.back() += histogram[static_cast<size_t>(b)];
  const size_t n = inside.size();
  std::vector<double> q(n, 0.0);
  constexpr size_t kLevels = 256;
  for (size_t level = 0; level < kLevels; ++level) {
    const size_t begin = level * n / kLevels, end = std::min(std::max((level + 1) * n / kLevels, begin + 1), n);
    double mass = 0;
    size_t nonzero = 0;
    for (size_t b = begin; b < end; ++b) mass += inside[b], nonzero += inside[b] > 0;
    for (size_t b = begin; b < end; ++b) q[b] = inside[b] > 0 ? mass / static_cast<double>(nonzero) : 0;
  }
  double total_p = 0, total_q = 0;
  for (size_t b = 0; b < n; ++b) total_p += p[b], total_q += q[b];
  double kl = 0;
  for (size_t b = 0; b < n; ++b) {
    if (p[b] <= 0) continue;
    const double pb = p[b] / total_p;
    const double qb = q[b] > 0 ? q[b] / total_q : 1e-12;
    kl += pb * std::log(pb / qb);
  }
  return kl;
}

}  // namespace

const char* calibration_name(Calibration calibration) { return kNames[static_cast<int>(calibration)]; }

Calibration parse_calibration(const std::string& name) {
  for (size_t i = 0; i < std::size(kNames); ++i) {
    if (name == kNames[i]) return static_cast<Calibration>(i);
  }
  throw Error(ErrorKind::kUsage, "--calibration",
              "unknown calibration '" + name + "' (known: minmax, percentile, mse, kl)");
}

QuantRange choose_range(std::vector<float> values, Calibration calibration) {
  switch (calibration) {
    case Calibration::kMinMax: {
      const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
      return with_zero(*lo, *hi);
    }
    case Calibration::kPercentile: {
      const size_t n = values.size();
      const size_t low_index = static_cast<size_t>(std::floor(0.0001 * static_cast<double>(n - 1)));
      const size_t high_index = static_cast<size_t>(std::ceil(0.9999 * static_cast<double>(n - 1)));
      std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(low_index), values.end());
      const float low = values[low_index];
      std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(high_index), values.end());
      return with_zero(low, values[high_index]);
    }
    case Calibration::kMse:
      return best_clipping(values, [&](const QuantRange& r) { return round_trip_error(values, r); });
    case Calibration::kKl: {
      const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
      const QuantRange full = with_zero(*lo, *hi);
      return best_clipping(values, [&](const QuantRange& r) { return kl_cost(values, full, r); });
    }
  }
  throw Error(ErrorKind::kUsage, "", "bad calibration");
}

void int8_params(const QuantRange& range, float* scale, int32_t* zero_point) {
  const double width = static_cast<double>(range.high) - range.low;
  *scale = width > 0 ? static_cast<float>(width / 255.0) : 1.0f;
  const double zp = -128.0 - std::round(range.low / static_cast<double>(*scale));
  *zero_point = static_cast<int32_t>(std::clamp(zp, -128.0, 127.0));
}

float int16_scale(const QuantRange& range) {
  const double magnitude = std::max(-static_cast<double>(range.low), static_cast<double>(range.high));
  return magnitude > 0 ? static_cast<float>(magnitude / 32767.0) : 1.0f;
}

}  // namespace tinymlops

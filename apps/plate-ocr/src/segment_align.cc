// Segmentation steps 1-3: denoise, binarize, align (segment_steps.h).
#include "segment_steps.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

namespace tinymlops::plate_segment {

// Otsu's threshold of a 256-bin histogram: maximum between-class variance. When
// the maximum is a plateau (no pixel values between ink and paper, as in a clean
// image) the middle of the plateau, so that ink a little lighter elsewhere (uneven
// light) stays ink. A one-valued histogram gives equal means.
Otsu otsu(const std::array<double, 256>& histogram) {
  double total = 0, sum = 0;
  for (int v = 0; v < 256; ++v) {
    total += histogram[static_cast<std::size_t>(v)];
    sum += v * histogram[static_cast<std::size_t>(v)];
  }
  Otsu best;
  if (total <= 0) return best;
  best.low_mean = best.high_mean = sum / total;
  double low_count = 0, low_sum = 0, best_variance = -1;
  int plateau_end = 0;
  for (int t = 0; t < 255; ++t) {
    low_count += histogram[static_cast<std::size_t>(t)];
    low_sum += t * histogram[static_cast<std::size_t>(t)];
    const double high_count = total - low_count;
    if (low_count <= 0 || high_count <= 0) continue;
    const double low_mean = low_sum / low_count, high_mean = (sum - low_sum) / high_count;
    const double variance = low_count * high_count * (high_mean - low_mean) * (high_mean - low_mean);
    if (variance > best_variance * (1 + 1e-12)) {
      best_variance = variance;
      best = {t, low_mean, high_mean};
      plateau_end = t;
    } else if (variance >= best_variance * (1 - 1e-12) && plateau_end == t - 1) {
      plateau_end = t;  // same classes: no pixels at t
    }
  }
  best.threshold = (best.threshold + plateau_end) / 2;
  return best;
}

// Otsu over the pixels of `image` inside `r` (clipped to the image).
Otsu otsu_of(const GrayImage& image, Rect r) {
  std::array<double, 256> histogram{};
  for (int y = std::max(0, r.y0); y < std::min(image.height, r.y1); ++y)
    for (int x = std::max(0, r.x0); x < std::min(image.width, r.x1); ++x) histogram[image.at(x, y)] += 1;
  return otsu(histogram);
}

Rect whole(const GrayImage& image) { return {0, 0, image.width, image.height}; }

// Step 1. The 3x3 median of each pixel (edges repeat): removes specks, keeps strokes >= 2 px.
GrayImage median3x3(const GrayImage& image) {
  GrayImage out(image.width, image.height);
  std::array<std::uint8_t, 9> window{};
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      std::size_t n = 0;
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx)
          window[n++] = image.at(std::clamp(x + dx, 0, image.width - 1), std::clamp(y + dy, 0, image.height - 1));
      std::nth_element(window.begin(), window.begin() + 4, window.end());
      out.at(x, y) = window[4];
    }
  }
  return out;
}

// Step 2c. Ink = pixels at or below the threshold (dark ink).
Mask binarize(const GrayImage& image, int threshold) {
  Mask mask{image.width, image.height, std::vector<std::uint8_t>(image.pixels.size())};
  for (std::size_t i = 0; i < image.pixels.size(); ++i) mask.ink[i] = image.pixels[i] <= threshold ? 1 : 0;
  return mask;
}

// The plate's centre: [kCentreWindow, 1 - kCentreWindow) of each axis, where the
// characters are and the border, band and surroundings are not.
Rect centre(const GrayImage& image) {
  const int x0 = static_cast<int>(image.width * kCentreWindow), y0 = static_cast<int>(image.height * kCentreWindow);
  return {x0, y0, image.width - x0, image.height - y0};
}

// Step 2a. The ink / paper split: the lower of two Otsu thresholds, over the whole
// image (dark border and band included, which keeps it low when blur spreads the
// strokes) and over the plate's centre (characters and paper only: not fooled by
// light surroundings around a darker plate). The centre's is skipped when it has
// less contrast than kMinPlateContrast (a blank plate inside its border).
Otsu plate_split(const GrayImage& image) {
  const Otsu all = otsu_of(image, whole(image));
  const Otsu inside = otsu_of(image, centre(image));
  if (inside.high_mean - inside.low_mean < kMinPlateContrast) return all;
  return inside.threshold < all.threshold ? inside : all;
}

// Step 2b. True when most of the plate's centre is on the dark side of
// `threshold`: a dark plate with light characters.
bool is_light_on_dark(const GrayImage& image, int threshold) {
  const Rect c = centre(image);
  long dark = 0, count = 0;
  for (int y = c.y0; y < c.y1; ++y)
    for (int x = c.x0; x < c.x1; ++x, ++count) dark += image.at(x, y) <= threshold ? 1 : 0;
  return count > 0 && static_cast<double>(dark) > kDarkPlateFraction * static_cast<double>(count);
}

GrayImage inverted(const GrayImage& image) {
  GrayImage out = image;
  for (std::uint8_t& p : out.pixels) p = static_cast<std::uint8_t>(255 - p);
  return out;
}

// Step 3a. The slope angle (degrees) of the plate's lines: the angle in
// [-kMaxSkewDegrees, kMaxSkewDegrees] whose sheared horizontal projection of the
// ink has the largest sum of squares. Angles are tried from 0 outwards, so ties
// keep the smallest rotation.
double estimate_skew(const Mask& mask) {
  const double cx = (mask.width - 1) / 2.0;
  const int offset = static_cast<int>(std::ceil(cx * std::tan(kMaxSkewDegrees * std::numbers::pi / 180))) + 2;
  std::vector<double> rows(static_cast<std::size_t>(mask.height + 2 * offset));
  double best_score = -1, best_angle = 0;
  const int steps = static_cast<int>(std::lround(kMaxSkewDegrees / kSkewStepDegrees));
  for (int i = 0; i <= 2 * steps; ++i) {
    const double angle = (i % 2 == 1 ? 1 : -1) * ((i + 1) / 2) * kSkewStepDegrees;
    const double slope = std::tan(angle * std::numbers::pi / 180);
    std::fill(rows.begin(), rows.end(), 0.0);
    for (int y = 0; y < mask.height; ++y)
      for (int x = 0; x < mask.width; ++x)
        if (mask.at(x, y)) rows[static_cast<std::size_t>(std::lround(y - (x - cx) * slope) + offset)] += 1;
    double score = 0;
    for (double r : rows) score += r * r;
    if (score > best_score) {
      best_score = score;
      best_angle = angle;
    }
  }
  return best_angle;
}

// Step 3b. The slant (x shift per row) of the characters' stems and the border's
// sides: the slant in [-kMaxSlant, kMaxSlant] whose vertical projection of the ink,
// each row shifted back by slant * (y - centre), has the largest sum of squares.
// Tried from 0 outwards, so ties keep the smallest correction.
double estimate_slant(const Mask& mask) {
  const double cy = (mask.height - 1) / 2.0;
  const int offset = static_cast<int>(std::ceil(cy * kMaxSlant)) + 2;
  std::vector<double> columns(static_cast<std::size_t>(mask.width + 2 * offset));
  double best_score = -1, best_slant = 0;
  const int steps = static_cast<int>(std::lround(kMaxSlant / kSlantStep));
  for (int i = 0; i <= 2 * steps; ++i) {
    const double slant = (i % 2 == 1 ? 1 : -1) * ((i + 1) / 2) * kSlantStep;
    std::fill(columns.begin(), columns.end(), 0.0);
    for (int y = 0; y < mask.height; ++y)
      for (int x = 0; x < mask.width; ++x)
        if (mask.at(x, y)) columns[static_cast<std::size_t>(std::lround(x - (y - cy) * slant) + offset)] += 1;
    double score = 0;
    for (double c : columns) score += c * c;
    if (score > best_score) {
      best_score = score;
      best_slant = slant;
    }
  }
  return best_slant;
}


// Undoes a rotation making lines of slope `degrees` horizontal.
Alignment rotation_alignment(const GrayImage& image, double degrees) {
  const double a = degrees * std::numbers::pi / 180;
  Alignment r;
  r.cx = (image.width - 1) / 2.0;
  r.cy = (image.height - 1) / 2.0;
  if (degrees == 0) return r;
  r.m00 = std::cos(a), r.m01 = -std::sin(a), r.m10 = std::sin(a), r.m11 = std::cos(a);
  return r;
}

// `first`, then a slant of `slant` undone: M = M_first [[1, slant], [0, 1]].
Alignment then_unslant(Alignment first, double slant) {
  first.m01 += first.m00 * slant;
  first.m11 += first.m10 * slant;
  return first;
}

// Step 3c. The aligned plate: every pixel sampled bilinearly from the original
// (samples outside repeat the edge). Same size.
GrayImage warp(const GrayImage& image, const Alignment& alignment) {
  if (alignment.identity()) return image;
  GrayImage out(image.width, image.height);
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      double sx = 0, sy = 0;
      alignment.source_of(x, y, &sx, &sy);
      sx = std::clamp(sx, 0.0, image.width - 1.0);
      sy = std::clamp(sy, 0.0, image.height - 1.0);
      const int x0 = static_cast<int>(sx), y0 = static_cast<int>(sy);
      const int x1 = std::min(x0 + 1, image.width - 1), y1 = std::min(y0 + 1, image.height - 1);
      const double wx = sx - x0, wy = sy - y0;
      const double top = image.at(x0, y0) * (1 - wx) + image.at(x1, y0) * wx;
      const double bottom = image.at(x0, y1) * (1 - wx) + image.at(x1, y1) * wx;
      out.at(x, y) = static_cast<std::uint8_t>(std::lround(top * (1 - wy) + bottom * wy));
    }
  }
  return out;
}

}  // namespace tinymlops::plate_segment

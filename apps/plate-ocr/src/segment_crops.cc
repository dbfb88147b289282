// Segmentation step 8: character boxes and crops (segment_steps.h).
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

Rect char_box(const Mask& mask, Rect interior, Rect band, const std::vector<Blob>& blobs, std::size_t i) {
  const int reach_rows = static_cast<int>(kMaxOverhang * (band.y1 - band.y0));
  const Rect window{std::max({interior.x0, blobs[i].x0 - kBoxReach, i > 0 ? blobs[i - 1].x1 : interior.x0}),
                    std::max(interior.y0, band.y0 - reach_rows),
                    std::min({interior.x1, blobs[i].x1 + kBoxReach, i + 1 < blobs.size() ? blobs[i + 1].x0 : interior.x1}),
                    std::min(interior.y1, band.y1 + reach_rows)};
  const int w = window.x1 - window.x0;
  std::vector<std::uint8_t> seen(static_cast<std::size_t>(w) * static_cast<std::size_t>(window.y1 - window.y0), 0);
  std::vector<std::pair<int, int>> todo;
  auto visit = [&](int x, int y) {
    if (x < window.x0 || x >= window.x1 || y < window.y0 || y >= window.y1 || !mask.at(x, y)) return;
    const bool own_columns = x >= blobs[i].x0 && x < blobs[i].x1;
    if (!own_columns && y >= band.y0 && y < band.y1) return;  // in the band, the columns decide
    std::uint8_t& s = seen[static_cast<std::size_t>(y - window.y0) * static_cast<std::size_t>(w) + static_cast<std::size_t>(x - window.x0)];
    if (s) return;
    s = 1;
    todo.push_back({x, y});
  };
  for (int y = band.y0; y < band.y1; ++y)
    for (int x = blobs[i].x0; x < blobs[i].x1; ++x) visit(x, y);
  Rect box{window.x1, window.y1, window.x0, window.y0};
  while (!todo.empty()) {
    const auto [x, y] = todo.back();
    todo.pop_back();
    box.x0 = std::min(box.x0, x), box.x1 = std::max(box.x1, x + 1);
    box.y0 = std::min(box.y0, y), box.y1 = std::max(box.y1, y + 1);
    for (int dy = -1; dy <= 1; ++dy)
      for (int dx = -1; dx <= 1; ++dx) visit(x + dx, y + dy);
  }
  return box;
}

// Step 8b. The box's pixels of the dark-ink `image` as ink-high values stretched so
// the background (Otsu low class of the box plus kStretchMargin) maps to 0 and the
// ink (high class) to 255.
GrayImage stretched_ink(const GrayImage& image, Rect box) {
  const GrayImage ink = inverted(crop(image, box.x0 - kStretchMargin, box.y0 - kStretchMargin,
                                      box.x1 - box.x0 + 2 * kStretchMargin, box.y1 - box.y0 + 2 * kStretchMargin,
                                      image.at(std::clamp(box.x0, 0, image.width - 1), std::clamp(box.y0, 0, image.height - 1))));
  Otsu split = otsu_of(ink, whole(ink));
  double low = split.low_mean, high = split.high_mean;
  if (high - low < kMinCropContrast) {
    const auto [lo, hi] = std::minmax_element(ink.pixels.begin(), ink.pixels.end());
    low = *lo;
    high = std::max(static_cast<double>(*hi), low + 1);
  }
  GrayImage out(box.x1 - box.x0, box.y1 - box.y0);
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      const double v = (ink.at(x + kStretchMargin, y + kStretchMargin) - low) * 255.0 / (high - low);
      out.at(x, y) = static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L));
    }
  }
  return out;
}

// Step 8c. The bounding box, in the original plate, of the aligned box `r`.
Box original_box(const Alignment& alignment, Rect r, int width, int height) {
  double min_x = 1e9, min_y = 1e9, max_x = -1e9, max_y = -1e9;
  for (const double x : {static_cast<double>(r.x0), r.x1 - 1.0}) {
    for (const double y : {static_cast<double>(r.y0), r.y1 - 1.0}) {
      double sx = 0, sy = 0;
      alignment.source_of(x, y, &sx, &sy);
      min_x = std::min(min_x, sx), max_x = std::max(max_x, sx);
      min_y = std::min(min_y, sy), max_y = std::max(max_y, sy);
    }
  }
  const int x0 = std::clamp(static_cast<int>(std::lround(min_x)), 0, width - 1);
  const int y0 = std::clamp(static_cast<int>(std::lround(min_y)), 0, height - 1);
  const int x1 = std::clamp(static_cast<int>(std::lround(max_x)) + 1, x0 + 1, width);
  const int y1 = std::clamp(static_cast<int>(std::lround(max_y)) + 1, y0 + 1, height);
  return {x0, y0, x1 - x0, y1 - y0};
}


}  // namespace tinymlops::plate_segment

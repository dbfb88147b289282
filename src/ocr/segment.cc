// Plate segmentation: one pass per step, each a small function (see
// docs/plate-ocr-segmentation.md for the method and its limits).
//
//   1. denoise        3x3 median
//   2. binarize       Otsu threshold; blank plate check; polarity (invert light-on-dark)
//   3. deskew         projection-profile angle search, rotate, binarize again
//   4. interior       the plate inside its border lines and the top band
//   5. text band      the rows holding the characters (horizontal projection)
//   6. columns        runs of inked columns in the band (vertical projection)
//   7. resolve        merge broken / split touching characters until expected_chars
//   8. crops          tight box per character, contrast stretched, fit to the crop size
#include "tinymlops/ocr/segment.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

#include "tinymlops/core/error.h"

namespace tinymlops {

namespace {

// --- Tuning constants (fractions are of the plate or band size) -------------
constexpr int kMinPlateWidth = 16;            // smaller images fail as "too small"
constexpr int kMinPlateHeight = 8;
constexpr double kMinPlateContrast = 24;      // Otsu class means closer than this: blank plate
constexpr double kCentreWindow = 0.25;        // polarity looks at [0.25, 0.75) of each axis
constexpr double kDarkPlateFraction = 0.5;    // more dark pixels than this in the centre: light-on-dark
constexpr double kMaxSkewDegrees = 6.0;       // deskew searches [-6, 6] degrees ...
constexpr double kSkewStepDegrees = 0.5;      // ... in steps of 0.5
constexpr double kTopRegion = 0.4;            // border lines / top band are looked for in the top 40% ...
constexpr double kBottomRegion = 0.25;        // ... the bottom 25% ...
constexpr double kSideRegion = 0.12;          // ... and the left and right 12%
constexpr double kLineRowFraction = 0.8;      // a row this inked (of the width) is a border line or band
constexpr double kLineColumnFraction = 0.9;   // a column this inked (of the interior height) is a border line
constexpr double kMinInteriorInk = 0.01;      // less ink than this inside the border: a blank plate
constexpr int kMinTextRowInk = 2;             // a text row has at least this many ink pixels ...
constexpr double kTextRowOfPeak = 0.1;        // ... and this fraction of the most inked row
constexpr int kMaxTextRowGap = 1;             // gaps of this many rows do not end the band
constexpr double kMinTextHeight = 0.25;       // the band is at least this fraction of the interior height
constexpr int kMinColumnInk = 1;              // an ink column has this many ink pixels in the band
constexpr double kMinBlobHeight = 0.5;        // shorter blobs (hyphen, dots, specks) are not characters
constexpr double kMaxMergedWidth = 1.3;       // merge broken pieces only up to 1.3 median widths
constexpr double kMinSplitWidth = 1.5;        // split a blob only when 1.5 median widths or wider
constexpr double kSplitSearch = 0.2;          // a cut is searched within +-0.2 part widths of its place
constexpr double kMaxCharWidth = 1.9;         // after resolving, no character wider than 1.9 medians
constexpr int kStretchMargin = 2;             // contrast statistics use the box plus this margin
constexpr double kMinCropContrast = 8;        // below this the stretch uses min..max instead

// Row-major 0/1 mask of ink pixels.
struct Mask {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> ink;
  bool at(int x, int y) const { return ink[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)] != 0; }
};

// Half-open rectangle [x0, x1) x [y0, y1).
struct Rect {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

// A run of columns [x0, x1) holding one character (or a piece, or several).
struct Blob {
  int x0 = 0, x1 = 0;
  int width() const { return x1 - x0; }
};

struct Otsu {
  int threshold = 0;  // pixels <= threshold are the low class
  double low_mean = 0;
  double high_mean = 0;
};

// Otsu's threshold of a 256-bin histogram (maximum between-class variance; the
// lowest such threshold on ties). A one-valued histogram gives equal means.
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
  for (int t = 0; t < 255; ++t) {
    low_count += histogram[static_cast<std::size_t>(t)];
    low_sum += t * histogram[static_cast<std::size_t>(t)];
    const double high_count = total - low_count;
    if (low_count <= 0 || high_count <= 0) continue;
    const double low_mean = low_sum / low_count, high_mean = (sum - low_sum) / high_count;
    const double variance = low_count * high_count * (high_mean - low_mean) * (high_mean - low_mean);
    if (variance > best_variance) {
      best_variance = variance;
      best = {t, low_mean, high_mean};
    }
  }
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

// Step 2. Ink = pixels at or below the threshold (dark ink).
Mask binarize(const GrayImage& image, int threshold) {
  Mask mask{image.width, image.height, std::vector<std::uint8_t>(image.pixels.size())};
  for (std::size_t i = 0; i < image.pixels.size(); ++i) mask.ink[i] = image.pixels[i] <= threshold ? 1 : 0;
  return mask;
}

// True when most of the plate's centre is on the dark side of `threshold`: a dark
// plate with light characters.
bool is_light_on_dark(const GrayImage& image, int threshold) {
  const int x0 = static_cast<int>(image.width * kCentreWindow), x1 = image.width - x0;
  const int y0 = static_cast<int>(image.height * kCentreWindow), y1 = image.height - y0;
  long dark = 0, count = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x, ++count) dark += image.at(x, y) <= threshold ? 1 : 0;
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
  const double max_shift = std::abs(cx) * std::tan(kMaxSkewDegrees * std::numbers::pi / 180) + 2;
  const int offset = static_cast<int>(std::ceil(max_shift));
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

// Where the deskewed pixel (x, y) comes from in the original plate.
struct Rotation {
  double cx, cy, cos_a, sin_a;
  void source_of(double x, double y, double* sx, double* sy) const {
    *sx = cx + (x - cx) * cos_a - (y - cy) * sin_a;
    *sy = cy + (x - cx) * sin_a + (y - cy) * cos_a;
  }
};

Rotation rotation_for(const GrayImage& image, double degrees) {
  const double a = degrees * std::numbers::pi / 180;
  return {(image.width - 1) / 2.0, (image.height - 1) / 2.0, std::cos(a), std::sin(a)};
}

// Step 3b. `image` rotated so that lines of slope `degrees` become horizontal
// (bilinear; samples outside repeat the edge). Same size.
GrayImage rotate(const GrayImage& image, const Rotation& rotation) {
  GrayImage out(image.width, image.height);
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      double sx = 0, sy = 0;
      rotation.source_of(x, y, &sx, &sy);
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

int row_ink(const Mask& mask, int y, int x0, int x1) {
  int n = 0;
  for (int x = x0; x < x1; ++x) n += mask.at(x, y) ? 1 : 0;
  return n;
}

int column_ink(const Mask& mask, int x, int y0, int y1) {
  int n = 0;
  for (int y = y0; y < y1; ++y) n += mask.at(x, y) ? 1 : 0;
  return n;
}

// Step 4. The plate inside its border: below the last line row (border line or
// dark band, inked over kLineRowFraction of the width) in the top region, above the
// first in the bottom region, and inside the border columns (inked over
// kLineColumnFraction of those rows) in the side regions. Without lines: the image.
Rect plate_interior(const Mask& mask) {
  Rect r{0, 0, mask.width, mask.height};
  const double line_row = kLineRowFraction * mask.width;
  for (int y = 0; y < static_cast<int>(mask.height * kTopRegion); ++y)
    if (row_ink(mask, y, 0, mask.width) >= line_row) r.y0 = y + 1;
  for (int y = mask.height - 1; y >= mask.height - static_cast<int>(mask.height * kBottomRegion); --y)
    if (row_ink(mask, y, 0, mask.width) >= line_row) r.y1 = y;
  if (r.y1 <= r.y0) return r;
  const double line_column = kLineColumnFraction * (r.y1 - r.y0);
  const int side = static_cast<int>(mask.width * kSideRegion);
  for (int x = 0; x < side; ++x)
    if (column_ink(mask, x, r.y0, r.y1) >= line_column) r.x0 = x + 1;
  for (int x = mask.width - 1; x >= mask.width - side; --x)
    if (column_ink(mask, x, r.y0, r.y1) >= line_column) r.x1 = x;
  return r;
}

// Step 5. The text band: the run of text rows in `interior` (gaps up to
// kMaxTextRowGap bridged) holding the most ink. Returns false with `why` set when
// there is (almost, kMinInteriorInk) no ink or the run is shorter than kMinTextHeight of the interior.
bool find_text_band(const Mask& mask, Rect interior, Rect* band, std::string* why) {
  std::vector<int> ink(static_cast<std::size_t>(std::max(0, interior.y1 - interior.y0)));
  int peak = 0;
  long total = 0;
  for (int y = interior.y0; y < interior.y1; ++y) {
    ink[static_cast<std::size_t>(y - interior.y0)] = row_ink(mask, y, interior.x0, interior.x1);
    peak = std::max(peak, ink[static_cast<std::size_t>(y - interior.y0)]);
    total += ink[static_cast<std::size_t>(y - interior.y0)];
  }
  const double area = static_cast<double>(interior.x1 - interior.x0) * (interior.y1 - interior.y0);
  if (static_cast<double>(total) < kMinInteriorInk * area || peak < kMinTextRowInk) {
    *why = "plate is blank: no ink inside the plate border";
    return false;
  }
  const double text_row = std::max(static_cast<double>(kMinTextRowInk), kTextRowOfPeak * peak);
  // Runs [first, last] of text rows, gaps of up to kMaxTextRowGap rows bridged.
  std::vector<std::pair<int, int>> runs;
  for (int i = 0; i < static_cast<int>(ink.size()); ++i) {
    if (ink[static_cast<std::size_t>(i)] < text_row) continue;
    if (!runs.empty() && i - runs.back().second - 1 <= kMaxTextRowGap) runs.back().second = i;
    else runs.push_back({i, i});
  }
  long best_ink = -1;
  for (const auto& [first, last] : runs) {
    long run_ink = 0;
    for (int i = first; i <= last; ++i) run_ink += ink[static_cast<std::size_t>(i)];
    if (run_ink > best_ink) {
      best_ink = run_ink;
      band->y0 = interior.y0 + first;
      band->y1 = interior.y0 + last + 1;
    }
  }
  band->x0 = interior.x0;
  band->x1 = interior.x1;
  const int min_height = std::max(2, static_cast<int>(std::ceil(kMinTextHeight * (interior.y1 - interior.y0))));
  if (band->y1 - band->y0 < min_height) {
    *why = "no text band found: the tallest run of inked rows is " + std::to_string(band->y1 - band->y0) +
           " px, characters need at least " + std::to_string(min_height) + " px";
    return false;
  }
  return true;
}

// The rows [top, bottom) of `band` holding ink in columns [x0, x1); top == bottom when none.
void ink_rows(const Mask& mask, Rect band, int x0, int x1, int* top, int* bottom) {
  *top = band.y1;
  *bottom = band.y1;
  for (int y = band.y0; y < band.y1; ++y) {
    if (row_ink(mask, y, x0, x1) == 0) continue;
    if (*top == band.y1) *top = y;
    *bottom = y + 1;
  }
  if (*top == band.y1) *top = *bottom = band.y0;
}

// Step 6. Runs of columns with at least kMinColumnInk ink pixels in the band,
// keeping those whose ink spans at least kMinBlobHeight of the band's height.
std::vector<Blob> column_blobs(const Mask& mask, Rect band) {
  std::vector<Blob> blobs;
  int start = -1;
  for (int x = band.x0; x <= band.x1; ++x) {
    const bool inked = x < band.x1 && column_ink(mask, x, band.y0, band.y1) >= kMinColumnInk;
    if (inked && start < 0) start = x;
    if (!inked && start >= 0) {
      int top = 0, bottom = 0;
      ink_rows(mask, band, start, x, &top, &bottom);
      if (bottom - top >= kMinBlobHeight * (band.y1 - band.y0)) blobs.push_back({start, x});
      start = -1;
    }
  }
  return blobs;
}

// The lower median of the blobs' widths (>= 1).
int median_width(const std::vector<Blob>& blobs) {
  std::vector<int> widths;
  for (const Blob& b : blobs) widths.push_back(b.width());
  std::sort(widths.begin(), widths.end());
  return widths.empty() ? 1 : std::max(1, widths[(widths.size() - 1) / 2]);
}

// `blob` cut into `parts` at the least inked column within kSplitSearch part widths
// of each even cut (ties: the column nearest the even cut).
std::vector<Blob> split_blob(const Mask& mask, Rect band, Blob blob, int parts) {
  std::vector<Blob> out;
  const double part = static_cast<double>(blob.width()) / parts;
  int left = blob.x0;
  for (int k = 1; k < parts; ++k) {
    const double even = blob.x0 + k * part;
    const int from = std::max(left + 1, static_cast<int>(std::ceil(even - kSplitSearch * part)));
    const int to = std::min(blob.x1 - 1, static_cast<int>(std::floor(even + kSplitSearch * part)));
    int cut = std::clamp(static_cast<int>(std::lround(even)), left + 1, blob.x1 - 1);
    int least = column_ink(mask, cut, band.y0, band.y1);
    for (int x = from; x <= to; ++x) {
      const int ink = column_ink(mask, x, band.y0, band.y1);
      if (ink < least || (ink == least && std::abs(x - even) < std::abs(cut - even))) cut = x, least = ink;
    }
    out.push_back({left, cut});
    left = cut;
  }
  out.push_back({left, blob.x1});
  return out;
}

// Step 7. Merges or splits blobs until there are `expected` (see the contract in
// docs/plate-ocr-segmentation.md): with too many, the adjacent pair whose union is
// narrowest is merged while that union is at most kMaxMergedWidth median widths;
// with too few, the widest blob is split into round(width / median) parts (at least
// 2, at most what is missing + 1) while it is at least kMinSplitWidth medians wide.
// Returns false with `why` set when that cannot reach `expected` plausibly.
bool resolve_count(const Mask& mask, Rect band, int expected, std::vector<Blob>* blobs, std::string* why) {
  const int found = static_cast<int>(blobs->size());
  const std::string count_failure =
      "found " + std::to_string(found) + " character columns, expected " + std::to_string(expected);
  if (found == 0) {
    *why = count_failure;
    return false;
  }
  const int median = median_width(*blobs);
  while (static_cast<int>(blobs->size()) > expected) {
    std::size_t best = 0;
    for (std::size_t i = 1; i + 1 < blobs->size(); ++i)
      if ((*blobs)[i + 1].x1 - (*blobs)[i].x0 < (*blobs)[best + 1].x1 - (*blobs)[best].x0) best = i;
    const Blob merged{(*blobs)[best].x0, (*blobs)[best + 1].x1};
    if (merged.width() > kMaxMergedWidth * median) {
      *why = count_failure + " (too many to be broken characters)";
      return false;
    }
    (*blobs)[best] = merged;
    blobs->erase(blobs->begin() + static_cast<std::ptrdiff_t>(best) + 1);
  }
  while (static_cast<int>(blobs->size()) < expected) {
    auto widest = std::max_element(blobs->begin(), blobs->end(),
                                   [](const Blob& a, const Blob& b) { return a.width() < b.width(); });
    if (widest->width() < kMinSplitWidth * median || widest->width() < 2) {
      *why = count_failure + " (none wide enough to be touching characters)";
      return false;
    }
    const int missing = expected - static_cast<int>(blobs->size());
    const int parts = std::clamp(static_cast<int>(std::lround(static_cast<double>(widest->width()) / median)), 2,
                                 std::min(missing + 1, widest->width()));
    const std::vector<Blob> pieces = split_blob(mask, band, *widest, parts);
    const auto at = blobs->erase(widest);
    blobs->insert(at, pieces.begin(), pieces.end());
  }
  const int final_median = median_width(*blobs);
  for (std::size_t i = 0; i < blobs->size(); ++i) {
    if ((*blobs)[i].width() > kMaxCharWidth * final_median) {
      *why = count_failure + " (character " + std::to_string(i + 1) + " is " + std::to_string((*blobs)[i].width()) +
             " px wide, the median is " + std::to_string(final_median) + " px)";
      return false;
    }
  }
  return true;
}

// Step 8a. The box's pixels of the dark-ink `image` as ink-high values stretched so
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

// Step 8b. The bounding box, in the original plate, of the deskewed box `r`.
CharBox original_box(const Rotation& rotation, Rect r, int width, int height) {
  double min_x = 1e9, min_y = 1e9, max_x = -1e9, max_y = -1e9;
  for (const double x : {static_cast<double>(r.x0), r.x1 - 1.0}) {
    for (const double y : {static_cast<double>(r.y0), r.y1 - 1.0}) {
      double sx = 0, sy = 0;
      rotation.source_of(x, y, &sx, &sy);
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

Segmentation failed(Segmentation result, std::string why) {
  result.ok = false;
  result.failure = std::move(why);
  result.boxes.clear();
  result.crops.clear();
  return result;
}

}  // namespace

Segmentation segment_plate(const GrayImage& plate, const SegmentOptions& options) {
  if (options.expected_chars < 1 || options.crop_width < 1 || options.crop_height < 1) {
    throw Error(ErrorKind::kInvalid, "", "segmentation needs expected_chars >= 1 and a crop size >= 1x1, got " +
                                             std::to_string(options.expected_chars) + " and " +
                                             std::to_string(options.crop_width) + "x" + std::to_string(options.crop_height));
  }
  Segmentation result;
  if (plate.width < kMinPlateWidth || plate.height < kMinPlateHeight) {
    return failed(result, "plate image is too small: " + std::to_string(plate.width) + "x" +
                              std::to_string(plate.height) + " (at least " + std::to_string(kMinPlateWidth) + "x" +
                              std::to_string(kMinPlateHeight) + ")");
  }
  GrayImage original = plate;  // the crops are cut from this one, not from the denoised copy
  GrayImage image = median3x3(plate);
  Otsu split = otsu_of(image, whole(image));
  if (split.high_mean - split.low_mean < kMinPlateContrast) {
    const auto [lo, hi] = std::minmax_element(plate.pixels.begin(), plate.pixels.end());
    return failed(result, "plate is blank: no contrast (gray levels " + std::to_string(*lo) + ".." +
                              std::to_string(*hi) + ")");
  }
  if (is_light_on_dark(image, split.threshold)) {
    result.inverted = true;
    original = inverted(original);
    image = inverted(image);
    split = otsu_of(image, whole(image));
  }
  result.skew_degrees = estimate_skew(binarize(image, split.threshold));
  const Rotation rotation = rotation_for(image, result.skew_degrees);
  if (result.skew_degrees != 0) {
    image = rotate(image, rotation);
    original = rotate(original, rotation);
    split = otsu_of(image, whole(image));
  }
  const Mask mask = binarize(image, split.threshold);
  Rect band;
  std::string why;
  if (!find_text_band(mask, plate_interior(mask), &band, &why)) return failed(result, why);
  std::vector<Blob> blobs = column_blobs(mask, band);
  if (!resolve_count(mask, band, options.expected_chars, &blobs, &why)) return failed(result, why);
  for (const Blob& blob : blobs) {
    int top = 0, bottom = 0;
    ink_rows(mask, band, blob.x0, blob.x1, &top, &bottom);
    if (bottom <= top) return failed(result, "a character column between x=" + std::to_string(blob.x0) + " and x=" + std::to_string(blob.x1) + " has no ink");
    const Rect box{blob.x0, top, blob.x1, bottom};
    result.boxes.push_back(original_box(rotation, box, plate.width, plate.height));
    result.crops.push_back(fit_char(stretched_ink(original, box), options.crop_width, options.crop_height));
  }
  result.ok = true;
  return result;
}

GrayImage fit_char(const GrayImage& ink, int crop_width, int crop_height) {
  GrayImage out(crop_width, crop_height, 0);
  if (ink.empty()) return out;
  const double scale = std::min(static_cast<double>(crop_width) / ink.width, static_cast<double>(crop_height) / ink.height);
  const int w = std::clamp(static_cast<int>(std::lround(ink.width * scale)), 1, crop_width);
  const int h = std::clamp(static_cast<int>(std::lround(ink.height * scale)), 1, crop_height);
  const GrayImage scaled = resize_bilinear(ink, w, h);
  const int left = (crop_width - w) / 2, top = (crop_height - h) / 2;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) out.at(left + x, top + y) = scaled.at(x, y);
  return out;
}

std::vector<float> crop_features(const GrayImage& crop_image) {
  return std::vector<float>(crop_image.pixels.begin(), crop_image.pixels.end());
}

GrayImage draw_boxes(const GrayImage& image, const std::vector<CharBox>& boxes, std::uint8_t value) {
  GrayImage out = image;
  auto put = [&](int x, int y) {
    if (x >= 0 && y >= 0 && x < out.width && y < out.height) out.at(x, y) = value;
  };
  for (const CharBox& b : boxes) {
    for (int x = b.x; x < b.x + b.w; ++x) put(x, b.y), put(x, b.y + b.h - 1);
    for (int y = b.y; y < b.y + b.h; ++y) put(b.x, y), put(b.x + b.w - 1, y);
  }
  return out;
}

}  // namespace tinymlops

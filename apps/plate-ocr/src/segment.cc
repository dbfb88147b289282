// Plate segmentation: one pass per step, each a small function (see
// docs/plate-ocr-segmentation.md for the method and its limits).
//
//   1. denoise        3x3 median
//   2. binarize       blank plate check; Otsu threshold (whole plate or its centre); polarity
//   3. align          projection-profile searches for the rotation and the slant, warp, binarize again
//   4. interior       the plate inside its border lines and the top band; long runs erased
//   5. text band      the rows holding the characters (horizontal projection)
//   6. columns        runs of inked columns in the band (vertical projection)
//   7. resolve        merge broken / split touching characters until expected_chars
//   8. crops          box of each character's connected ink, contrast stretched, fit to the crop size
#include "plate_ocr/segment.h"

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
constexpr double kMaxSlant = 0.16;            // deslant searches shears of [-0.16, 0.16] px per row ...
constexpr double kSlantStep = 0.02;           // ... in steps of 0.02
constexpr double kTopRegion = 0.4;            // border lines / top band are looked for in the top 40% ...
constexpr double kBottomRegion = 0.25;        // ... the bottom 25% ...
constexpr double kSideRegion = 0.12;          // ... and the left and right 12%
constexpr double kLineRowFraction = 0.8;      // a row this inked (of the width) is a border line or band
constexpr double kLineColumnFraction = 0.9;   // columns this inked (of the interior height) are a border line
constexpr int kLineColumnWindow = 3;          // ... looking at this many columns at a time ...
constexpr double kLineEnds = 0.1;             // ... and inked in the first and the last 10% of the rows
constexpr double kLongRunFraction = 0.3;      // longer horizontal ink runs (of the width) are not characters ...
constexpr double kSideRunFraction = 0.08;     // ... nor, touching the interior's side, runs longer than this
constexpr double kMinInteriorInk = 0.01;      // less ink than this inside the border: a blank plate
constexpr int kMinTextRowInk = 2;             // a text row has at least this many ink pixels ...
constexpr double kTextRowOfPeak = 0.1;        // ... and this fraction of the most inked row
constexpr int kMaxTextRowGap = 1;             // gaps of this many rows do not end the band
constexpr double kMinTextHeight = 0.25;       // the band is at least this fraction of the interior height
constexpr int kMinColumnInk = 1;              // an ink column has this many ink pixels in the band
constexpr double kMinBlobHeight = 0.5;        // shorter blobs (hyphen, dots, specks) are not characters
constexpr double kEdgeSliver = 0.3;           // narrower blobs at the band's ends are border remains
constexpr double kTrimWidth = 1.15;           // a first or last blob this many medians wide ...
constexpr double kTrimOverhang = 0.15;        // ... loses outer columns inked this far past the band (border side)
constexpr double kMaxMergedWidth = 1.5;       // merge broken pieces only up to 1.5 median widths
constexpr double kMinSplitWidth = 1.5;        // split a blob only when 1.5 median widths or wider
constexpr double kSplitSearch = 0.2;          // a cut is searched within +-0.2 part widths of its place
constexpr double kMaxCharWidth = 1.9;         // after resolving, no character wider than 1.9 medians
constexpr int kBoxReach = 3;                  // a character's box may reach this far past its columns ...
constexpr double kMaxOverhang = 0.4;          // ... and this many band heights above or below the band
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

// Where the aligned plate's pixel (x, y) comes from in the original:
// centre + M (x - cx, y - cy).
struct Alignment {
  double cx = 0, cy = 0;
  double m00 = 1, m01 = 0, m10 = 0, m11 = 1;
  bool identity() const { return m00 == 1 && m01 == 0 && m10 == 0 && m11 == 1; }
  void source_of(double x, double y, double* sx, double* sy) const {
    *sx = cx + m00 * (x - cx) + m01 * (y - cy);
    *sy = cy + m10 * (x - cx) + m11 * (y - cy);
  }
};

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

// Rows of [y0, y1) with ink in any of the columns [x0, x1).
int rows_inked(const Mask& mask, int x0, int x1, int y0, int y1) {
  int n = 0;
  for (int y = y0; y < y1; ++y) n += row_ink(mask, y, std::max(0, x0), std::min(mask.width, x1)) > 0 ? 1 : 0;
  return n;
}

// True when the columns [x0, x1) look like a border side over the rows [y0, y1):
// inked on kLineColumnFraction of the rows, including some of the first and of the
// last kLineEnds of them (a character's stem stops short of the border).
bool is_side_line(const Mask& mask, int x0, int x1, int y0, int y1) {
  const int ends = std::max(1, static_cast<int>(std::ceil(kLineEnds * (y1 - y0))));
  return rows_inked(mask, x0, x1, y0, y1) >= kLineColumnFraction * (y1 - y0) &&
         rows_inked(mask, x0, x1, y0, y0 + ends) > 0 && rows_inked(mask, x0, x1, y1 - ends, y1) > 0;
}

// Step 4. The plate inside its border: below the last line row (border line or
// dark band, inked over kLineRowFraction of the width) in the top region, above the
// first in the bottom region, and inside the border sides found in the side regions
// (is_side_line over a window of kLineColumnWindow columns, as a slanted side spreads
// over a few). Without lines: the whole image.
Rect plate_interior(const Mask& mask) {
  Rect r{0, 0, mask.width, mask.height};
  const double line_row = kLineRowFraction * mask.width;
  for (int y = 0; y < static_cast<int>(mask.height * kTopRegion); ++y)
    if (row_ink(mask, y, 0, mask.width) >= line_row) r.y0 = y + 1;
  for (int y = mask.height - 1; y >= mask.height - static_cast<int>(mask.height * kBottomRegion); --y)
    if (row_ink(mask, y, 0, mask.width) >= line_row) r.y1 = y;
  if (r.y1 <= r.y0) return r;
  const int side = static_cast<int>(mask.width * kSideRegion);
  for (int x = 0; x < side; ++x)
    if (is_side_line(mask, x, x + kLineColumnWindow, r.y0, r.y1)) r.x0 = x + kLineColumnWindow;
  for (int x = mask.width - 1; x >= mask.width - side; --x)
    if (is_side_line(mask, x - kLineColumnWindow + 1, x + 1, r.y0, r.y1)) r.x1 = x - kLineColumnWindow + 1;
  return r;
}

// Step 4b. Erases, inside `interior`, every horizontal run of ink longer than
// kLongRunFraction of the plate's width, and every run touching the interior's left
// or right side longer than kSideRunFraction: no character is that wide or touches
// the border, so it is what is left of a slanted border line or top band. (A
// character touching the border loses those rows.)
void erase_long_runs(Mask& mask, Rect interior) {
  const int longest = static_cast<int>(kLongRunFraction * mask.width);
  const int longest_at_side = static_cast<int>(kSideRunFraction * mask.width);
  for (int y = interior.y0; y < interior.y1; ++y) {
    int start = interior.x0;
    for (int x = interior.x0; x <= interior.x1; ++x) {
      const bool ink = x < interior.x1 && mask.at(x, y);
      if (ink) continue;
      const bool at_side = start == interior.x0 || x == interior.x1;
      if (x - start > longest || (at_side && x - start > longest_at_side))
        for (int k = start; k < x; ++k) mask.ink[static_cast<std::size_t>(y) * static_cast<std::size_t>(mask.width) + static_cast<std::size_t>(k)] = 0;
      start = x + 1;
    }
  }
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

// Rows of `interior` outside the band with ink in the blob's columns: how far a
// blob runs on above and below the characters.
int overhang(const Mask& mask, Rect interior, Rect band, const Blob& blob) {
  return rows_inked(mask, blob.x0, blob.x1, interior.y0, band.y0) + rows_inked(mask, blob.x0, blob.x1, band.y1, interior.y1);
}

// Step 6. Runs of columns with at least kMinColumnInk ink pixels in the band,
// keeping those whose ink spans at least kMinBlobHeight of the band's height, and
// dropping the remains of a border side: a first or last run narrower than
// kEdgeSliver band heights that touches the band's end.
std::vector<Blob> column_blobs(const Mask& mask, Rect band) {
  std::vector<Blob> blobs;
  const int band_height = band.y1 - band.y0;
  int start = -1;
  for (int x = band.x0; x <= band.x1; ++x) {
    const bool inked = x < band.x1 && column_ink(mask, x, band.y0, band.y1) >= kMinColumnInk;
    if (inked && start < 0) start = x;
    if (!inked && start >= 0) {
      int top = 0, bottom = 0;
      ink_rows(mask, band, start, x, &top, &bottom);
      if (bottom - top >= kMinBlobHeight * band_height) blobs.push_back({start, x});
      start = -1;
    }
  }
  auto is_sliver = [&](const Blob& b) {
    return b.width() < kEdgeSliver * band_height && (b.x0 == band.x0 || b.x1 == band.x1);
  };
  if (!blobs.empty() && is_sliver(blobs.back())) blobs.pop_back();
  if (!blobs.empty() && is_sliver(blobs.front())) blobs.erase(blobs.begin());
  return blobs;
}

// `blob` (the first when from_left, else the last) without its outer columns whose
// ink, in a window of kLineColumnWindow columns from there inwards (a leaning side
// crosses a few), runs on at least kTrimOverhang band heights past the band: a
// border side joined to the character next to it.
Blob trim_border_side(const Mask& mask, Rect interior, Rect band, Blob blob, bool from_left) {
  const double least = kTrimOverhang * (band.y1 - band.y0);
  while (blob.width() > 1) {
    const int x = from_left ? blob.x0 : blob.x1 - 1;
    const Blob window = from_left ? Blob{x, std::min(x + kLineColumnWindow, blob.x1)}
                                  : Blob{std::max(x - kLineColumnWindow + 1, blob.x0), x + 1};
    if (overhang(mask, interior, band, window) < least) break;
    if (from_left) ++blob.x0;
    else --blob.x1;
  }
  return blob;
}

// The lower median of the blobs' widths (>= 1).
int median_width(const std::vector<Blob>& blobs) {
  std::vector<int> widths;
  for (const Blob& b : blobs) widths.push_back(b.width());
  std::sort(widths.begin(), widths.end());
  return widths.empty() ? 1 : std::max(1, widths[(widths.size() - 1) / 2]);
}

// `blob` cut into `parts` at the least inked column within kSplitSearch part widths
// of each even cut (ties: the column nearest the even cut). REQUIRES: 2 <= parts <=
// blob.width(); every piece is at least one column wide.
std::vector<Blob> split_blob(const Mask& mask, Rect band, Blob blob, int parts) {
  std::vector<Blob> out;
  const double part = static_cast<double>(blob.width()) / parts;
  int left = blob.x0;
  for (int k = 1; k < parts; ++k) {
    const double even = blob.x0 + k * part;
    const int lowest = left + 1, highest = blob.x1 - (parts - k);  // room for the pieces still to cut
    const int from = std::max(lowest, static_cast<int>(std::ceil(even - kSplitSearch * part)));
    const int to = std::min(highest, static_cast<int>(std::floor(even + kSplitSearch * part)));
    int cut = std::clamp(static_cast<int>(std::lround(even)), lowest, highest);
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

// Step 7. Merges or splits blobs until there are `expected`, in this order:
//   a. with too many, a first or last blob narrower than kEdgeSliver band heights
//      whose ink runs on past the band (a border side; a "J" is kept when the count
//      is right) is dropped, the one running further first;
//   b. with too many, the adjacent pair whose union is narrowest is merged while
//      that union is at most kMaxMergedWidth median widths (broken characters);
//   c. a first or last blob kTrimWidth medians wide loses its outer columns that
//      run on past the band (trim_border_side: a border side joined to it), and
//      `interior` ends there;
//   d. with too few, the widest blob is split into round(width / median) parts (at
//      least 2, at most what is missing + 1) while it is at least kMinSplitWidth
//      medians wide (touching characters);
//   e. no blob may end wider than kMaxCharWidth medians.
// The median is the lower median of the widths after a. Returns false with `why`
// set ("found N character columns, expected M (...)") when that cannot reach
// `expected` plausibly.
bool resolve_count(const Mask& mask, Rect* interior, Rect band, int expected, std::vector<Blob>* blobs,
                   std::string* why) {
  const int found = static_cast<int>(blobs->size());
  const std::string count_failure =
      "found " + std::to_string(found) + " character columns, expected " + std::to_string(expected);
  if (found == 0) {
    *why = count_failure;
    return false;
  }
  const int band_height = band.y1 - band.y0;
  while (static_cast<int>(blobs->size()) > expected && blobs->size() >= 2) {
    const int first = blobs->front().width() < kEdgeSliver * band_height ? overhang(mask, *interior, band, blobs->front()) : 0;
    const int last = blobs->back().width() < kEdgeSliver * band_height ? overhang(mask, *interior, band, blobs->back()) : 0;
    if (first == 0 && last == 0) break;
    if (last >= first) blobs->pop_back();
    else blobs->erase(blobs->begin());
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
  if (blobs->front().width() >= kTrimWidth * median) {
    blobs->front() = trim_border_side(mask, *interior, band, blobs->front(), true);
    interior->x0 = std::max(interior->x0, blobs->front().x0);  // what was cut off is border
  }
  if (blobs->back().width() >= kTrimWidth * median) {
    blobs->back() = trim_border_side(mask, *interior, band, blobs->back(), false);
    interior->x1 = std::min(interior->x1, blobs->back().x1);
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

// Step 8a. The box of character `i`: its ink in the band and the ink 8-connected
// to it above and below the band (at most kMaxOverhang band heights, in its columns
// widened by kBoxReach but not into a neighbour's), so that a "Q" keeps its tail and
// a "J" its hook. Empty when the blob has no ink.
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
  split = plate_split(image);
  if (is_light_on_dark(image, split.threshold)) {
    result.inverted = true;
    original = inverted(original);
    image = inverted(image);
    split = plate_split(image);
  }
  result.skew_degrees = estimate_skew(binarize(image, split.threshold));
  const Alignment rotation = rotation_alignment(image, result.skew_degrees);
  result.slant = estimate_slant(binarize(warp(image, rotation), split.threshold));
  const Alignment alignment = then_unslant(rotation, result.slant);
  if (!alignment.identity()) {
    image = warp(image, alignment);
    original = warp(original, alignment);
    split = plate_split(image);
  }
  Mask mask = binarize(image, split.threshold);
  Rect interior = plate_interior(mask);
  erase_long_runs(mask, interior);
  Rect band;
  std::string why;
  if (!find_text_band(mask, interior, &band, &why)) return failed(result, why);
  std::vector<Blob> blobs = column_blobs(mask, band);
  if (!resolve_count(mask, &interior, band, options.expected_chars, &blobs, &why)) return failed(result, why);
  for (std::size_t i = 0; i < blobs.size(); ++i) {
    const Rect box = char_box(mask, interior, band, blobs, i);
    if (box.x1 <= box.x0 || box.y1 <= box.y0) {
      return failed(result, "character " + std::to_string(i + 1) + " (x " + std::to_string(blobs[i].x0) + ".." +
                                std::to_string(blobs[i].x1) + ") has no ink");
    }
    result.boxes.push_back(original_box(alignment, box, plate.width, plate.height));
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

GrayImage draw_boxes(const GrayImage& image, const std::vector<Box>& boxes, std::uint8_t value) {
  GrayImage out = image;
  auto put = [&](int x, int y) {
    if (x >= 0 && y >= 0 && x < out.width && y < out.height) out.at(x, y) = value;
  };
  for (const Box& b : boxes) {
    for (int x = b.x; x < b.x + b.width; ++x) put(x, b.y), put(x, b.y + b.height - 1);
    for (int y = b.y; y < b.y + b.height; ++y) put(b.x, y), put(b.x + b.width - 1, y);
  }
  return out;
}

}  // namespace tinymlops

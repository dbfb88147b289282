// The steps of plate segmentation (segment.h's segment_plate), shared by its
// sources; private to apps/plate-ocr. The method and its limits:
// docs/plate-ocr-segmentation.md.
//
//   segment_align.cc    1-3: denoise, binarize (Otsu, polarity), deskew and deslant
//   segment_layout.cc   4-7: plate interior, text band, character columns, resolving
//                            them to the expected count
//   segment_crops.cc    8:   each character's box, contrast-stretched ink, its box
//                            in the original plate
//   segment.cc          segment_plate, which runs the steps, and the crop helpers
// Each function's contract is written at its definition.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "plate_ocr/image.h"
#include "plate_ocr/segment.h"

namespace tinymlops::plate_segment {

// --- Tuning constants (fractions are of the plate or band size) -------------
inline constexpr int kMinPlateWidth = 16;            // smaller images fail as "too small"
inline constexpr int kMinPlateHeight = 8;
inline constexpr double kMinPlateContrast = 24;      // Otsu class means closer than this: blank plate
inline constexpr double kCentreWindow = 0.25;        // polarity looks at [0.25, 0.75) of each axis
inline constexpr double kDarkPlateFraction = 0.5;    // more dark pixels than this in the centre: light-on-dark
inline constexpr double kMaxSkewDegrees = 6.0;       // deskew searches [-6, 6] degrees ...
inline constexpr double kSkewStepDegrees = 0.5;      // ... in steps of 0.5
inline constexpr double kMaxSlant = 0.16;            // deslant searches shears of [-0.16, 0.16] px per row ...
inline constexpr double kSlantStep = 0.02;           // ... in steps of 0.02
inline constexpr double kTopRegion = 0.4;            // border lines / top band are looked for in the top 40% ...
inline constexpr double kBottomRegion = 0.25;        // ... the bottom 25% ...
inline constexpr double kSideRegion = 0.12;          // ... and the left and right 12%
inline constexpr double kLineRowFraction = 0.8;      // a row this inked (of the width) is a border line or band
inline constexpr double kLineColumnFraction = 0.9;   // columns this inked (of the interior height) are a border line
inline constexpr int kLineColumnWindow = 3;          // ... looking at this many columns at a time ...
inline constexpr double kLineEnds = 0.1;             // ... and inked in the first and the last 10% of the rows
inline constexpr double kLongRunFraction = 0.3;      // longer horizontal ink runs (of the width) are not characters ...
inline constexpr double kSideRunFraction = 0.08;     // ... nor, touching the interior's side, runs longer than this
inline constexpr double kMinInteriorInk = 0.01;      // less ink than this inside the border: a blank plate
inline constexpr int kMinTextRowInk = 2;             // a text row has at least this many ink pixels ...
inline constexpr double kTextRowOfPeak = 0.1;        // ... and this fraction of the most inked row
inline constexpr int kMaxTextRowGap = 1;             // gaps of this many rows do not end the band
inline constexpr double kMinTextHeight = 0.25;       // the band is at least this fraction of the interior height
inline constexpr int kMinColumnInk = 1;              // an ink column has this many ink pixels in the band
inline constexpr double kMinBlobHeight = 0.5;        // shorter blobs (hyphen, dots, specks) are not characters
inline constexpr double kEdgeSliver = 0.3;           // narrower blobs at the band's ends are border remains
inline constexpr double kTrimWidth = 1.15;           // a first or last blob this many medians wide ...
inline constexpr double kTrimOverhang = 0.15;        // ... loses outer columns inked this far past the band (border side)
inline constexpr double kMaxMergedWidth = 1.5;       // merge broken pieces only up to 1.5 median widths
inline constexpr double kMinSplitWidth = 1.5;        // split a blob only when 1.5 median widths or wider
inline constexpr double kSplitSearch = 0.2;          // a cut is searched within +-0.2 part widths of its place
inline constexpr double kMaxCharWidth = 1.9;         // after resolving, no character wider than 1.9 medians
inline constexpr int kBoxReach = 3;                  // a character's box may reach this far past its columns ...
inline constexpr double kMaxOverhang = 0.4;          // ... and this many band heights above or below the band
inline constexpr int kStretchMargin = 2;             // contrast statistics use the box plus this margin
inline constexpr double kMinCropContrast = 8;        // below this the stretch uses min..max instead

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

// Steps 1-3 (segment_align.cc).
Otsu otsu(const std::array<double, 256>& histogram);
Otsu otsu_of(const GrayImage& image, Rect r);
Rect whole(const GrayImage& image);
GrayImage median3x3(const GrayImage& image);
Mask binarize(const GrayImage& image, int threshold);
Otsu plate_split(const GrayImage& image);
bool is_light_on_dark(const GrayImage& image, int threshold);
GrayImage inverted(const GrayImage& image);
double estimate_skew(const Mask& mask);
double estimate_slant(const Mask& mask);
Alignment rotation_alignment(const GrayImage& image, double degrees);
Alignment then_unslant(Alignment first, double slant);
GrayImage warp(const GrayImage& image, const Alignment& alignment);

// Steps 4-7 (segment_layout.cc).
Rect plate_interior(const Mask& mask);
void erase_long_runs(Mask& mask, Rect interior);
bool find_text_band(const Mask& mask, Rect interior, Rect* band, std::string* why);
std::vector<Blob> column_blobs(const Mask& mask, Rect band);
bool resolve_count(const Mask& mask, Rect* interior, Rect band, int expected, std::vector<Blob>* blobs,
                   std::string* why);

// Step 8 (segment_crops.cc).
Rect char_box(const Mask& mask, Rect interior, Rect band, const std::vector<Blob>& blobs, std::size_t i);
GrayImage stretched_ink(const GrayImage& image, Rect box);
Box original_box(const Alignment& alignment, Rect r, int width, int height);

}  // namespace tinymlops::plate_segment

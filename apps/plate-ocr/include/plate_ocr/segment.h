// Cutting a license-plate image into its character crops (issue 9, step 2).
//
// segment_plate() takes a plate image (dark characters on a light plate, or light
// on dark; a dark border and a dark band across the top, as on Mercosul plates,
// are allowed) and finds exactly `expected_chars` character boxes, left to right.
// Each box becomes a crop_width x crop_height image with ink = 255 and background
// = 0, the character scaled to fit and centred: the input of the character
// classifier. When it cannot find them it says why (Segmentation::failure) rather
// than guessing. The steps, their thresholds and their limits are described in
// docs/plate-ocr-segmentation.md.
//
// Example:
//   GrayImage plate = read_pgm("plates/000001.pgm");
//   Segmentation cut = segment_plate(plate, SegmentOptions{});
//   if (!cut.ok) { std::puts(cut.failure.c_str()); return; }   // "found 5 character columns, expected 7"
//   for (const GrayImage& c : cut.crops) {
//     std::vector<float> x = crop_features(c);                  // 192 values, the CSV column order
//     ... model.predict(x) ...
//   }
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plate_ocr/image.h"

namespace tinymlops {

struct SegmentOptions {
  int expected_chars = 7;  // characters on the plate (Brazil: 7)
  int crop_width = 12;     // size of each crop, the classifier's input (16x12x1)
  int crop_height = 16;
};

struct Segmentation {
  bool ok = false;
  // When !ok: one line saying why, e.g. "found 5 character columns, expected 7",
  // "no text band found: ...", "plate is blank: ...". Empty when ok.
  std::string failure;
  double skew_degrees = 0;  // the rotation that was undone (positive: text rising to the left)
  double slant = 0;         // the horizontal shear undone after it, px per row (italic-like lean)
  bool inverted = false;    // the plate had light characters on a dark background
  // When ok: expected_chars boxes and crops, left to right. A box is the bounding
  // box, in the original plate's pixels, of the character found on the aligned
// (deskewed and deslanted) plate.
  std::vector<Box> boxes;
  std::vector<GrayImage> crops;  // crop_width x crop_height, ink 255, background 0
};

// Segments `plate`. Never throws for a hard image (that is a failure result);
// throws Error(kInvalid) only for options that make no sense (expected_chars < 1,
// crop size < 1).
Segmentation segment_plate(const GrayImage& plate, const SegmentOptions& options);

// `ink` (ink high, background 0) scaled to fit crop_width x crop_height with its
// aspect ratio kept (bilinear), centred on a background of 0. An empty `ink` gives
// an all-background crop. crop_width, crop_height >= 1.
GrayImage fit_char(const GrayImage& ink, int crop_width, int crop_height);

// The crop's pixels in the character-crops CSV column order (row-major, p0 is the
// top-left pixel), as 0..255 floats: the input vector of the classifier.
std::vector<float> crop_features(const GrayImage& crop);

// A copy of `image` with each box's outline drawn in `value` (for looking at a
// segmentation). Boxes may extend past the image; the outside is not drawn.
GrayImage draw_boxes(const GrayImage& image, const std::vector<Box>& boxes, std::uint8_t value);

}  // namespace tinymlops

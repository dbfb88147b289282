// Plate segmentation: runs the steps of segment_steps.h in order (see
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
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "segment_steps.h"
#include "tinymlops/core/error.h"

namespace tinymlops {

using namespace plate_segment;

namespace {

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

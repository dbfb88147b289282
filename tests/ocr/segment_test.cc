#include "plate_ocr/segment.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "test_util.h"
#include "tinymlops/core/rng.h"

namespace tinymlops {
namespace testing {

// --- Synthetic plates. Glyphs are drawn from strokes 3 px wide in a cell of
// PlateSpec::char_width x char_height, and each glyph's ink bounding box is
// recorded as the box a segmenter should find.

namespace {

enum class Glyph { kBar, kRing, kEl, kE, kH, kBrokenH, kSeven, kJ, kQ };

struct PlateSpec {
  int width = 130;
  int height = 40;
  std::uint8_t paper = 215;
  std::uint8_t ink = 35;
  bool border = true;
  bool top_band = false;  // the dark Mercosul band across the top
  int band_height = 10;
  std::vector<Glyph> glyphs = {Glyph::kE, Glyph::kRing, Glyph::kH, Glyph::kBar, Glyph::kSeven, Glyph::kEl, Glyph::kRing};
  int left = 10;  // x of the first glyph cell
  int char_top = 10;
  int char_width = 12;
  int char_height = 22;
  int gap = 4;             // between glyph cells
  int group_at = -1;       // glyph index preceded by an extra group_gap
  int group_gap = 0;
  int touching_after = -1;  // glyph index followed by no gap
};

struct SyntheticPlate {
  GrayImage image;
  std::vector<Box> boxes;  // each glyph's ink bounding box
};

void fill(GrayImage& image, int x, int y, int w, int h, std::uint8_t value, Box* box) {
  for (int row = y; row < y + h; ++row)
    for (int col = x; col < x + w; ++col)
      if (col >= 0 && row >= 0 && col < image.width && row < image.height) image.at(col, row) = value;
  if (box == nullptr) return;
  if (box->width == 0) {
    *box = {x, y, w, h};
    return;
  }
  const int x1 = std::max(box->x + box->width, x + w), y1 = std::max(box->y + box->height, y + h);
  box->x = std::min(box->x, x);
  box->y = std::min(box->y, y);
  box->width = x1 - box->x;
  box->height = y1 - box->y;
}

Box draw_glyph(GrayImage& image, Glyph glyph, int x, int y, int w, int h, std::uint8_t ink) {
  constexpr int s = 3;  // stroke width
  Box box;
  switch (glyph) {
    case Glyph::kBar:
      fill(image, x + w / 2 - 1, y, s, h, ink, &box);
      break;
    case Glyph::kRing:
      fill(image, x, y, w, s, ink, &box), fill(image, x, y + h - s, w, s, ink, &box);
      fill(image, x, y, s, h, ink, &box), fill(image, x + w - s, y, s, h, ink, &box);
      break;
    case Glyph::kEl:
      fill(image, x, y, s, h, ink, &box), fill(image, x, y + h - s, w, s, ink, &box);
      break;
    case Glyph::kE:
      fill(image, x, y, s, h, ink, &box), fill(image, x, y, w, s, ink, &box);
      fill(image, x, y + h / 2 - 1, w - 2, s, ink, &box), fill(image, x, y + h - s, w, s, ink, &box);
      break;
    case Glyph::kH:
      fill(image, x, y, s, h, ink, &box), fill(image, x + w - s, y, s, h, ink, &box);
      fill(image, x, y + h / 2 - 1, w, s, ink, &box);
      break;
    case Glyph::kBrokenH:
      fill(image, x, y, s, h, ink, &box), fill(image, x + w - s, y, s, h, ink, &box);
      break;
    case Glyph::kSeven:
      fill(image, x, y, w, s, ink, &box), fill(image, x + w - s, y, s, h, ink, &box);
      break;
    case Glyph::kJ:  // a stem with a hook below the baseline, to the left
      fill(image, x + w - s - 2, y, s, h + 3, ink, &box), fill(image, x, y + h, w - 2, s, ink, &box);
      break;
    case Glyph::kQ:  // a ring with a tail below the baseline
      fill(image, x, y, w, s, ink, &box), fill(image, x, y + h - s, w, s, ink, &box);
      fill(image, x, y, s, h, ink, &box), fill(image, x + w - s, y, s, h, ink, &box);
      fill(image, x + w / 2, y + h, s, 3, ink, &box);
      break;
  }
  return box;
}

SyntheticPlate synthetic_plate(const PlateSpec& spec) {
  SyntheticPlate plate;
  plate.image = GrayImage(spec.width, spec.height, spec.paper);
  if (spec.border) {
    fill(plate.image, 1, 1, spec.width - 2, 2, spec.ink, nullptr);
    fill(plate.image, 1, spec.height - 3, spec.width - 2, 2, spec.ink, nullptr);
    fill(plate.image, 1, 1, 2, spec.height - 2, spec.ink, nullptr);
    fill(plate.image, spec.width - 3, 1, 2, spec.height - 2, spec.ink, nullptr);
  }
  if (spec.top_band) {
    // The Mercosul band: dark across the top, with small light lettering in it.
    fill(plate.image, 1, 1, spec.width - 2, spec.band_height, spec.ink, nullptr);
    for (int i = 0; i < 6; ++i) fill(plate.image, spec.width / 2 - 18 + 6 * i, 3, 3, spec.band_height - 5, spec.paper, nullptr);
  }
  int x = spec.left;
  for (std::size_t i = 0; i < spec.glyphs.size(); ++i) {
    if (static_cast<int>(i) == spec.group_at) x += spec.group_gap;
    plate.boxes.push_back(
        draw_glyph(plate.image, spec.glyphs[i], x, spec.char_top, spec.char_width, spec.char_height, spec.ink));
    x += spec.char_width + (static_cast<int>(i) == spec.touching_after ? 0 : spec.gap);
  }
  return plate;
}

SyntheticPlate rotated(const SyntheticPlate& plate, double degrees, std::uint8_t outside) {
  const double a = degrees * std::numbers::pi / 180, c = std::cos(a), s = std::sin(a);
  const GrayImage& in = plate.image;
  const double cx = (in.width - 1) / 2.0, cy = (in.height - 1) / 2.0;
  SyntheticPlate out;
  out.image = GrayImage(in.width, in.height, outside);
  for (int y = 0; y < in.height; ++y) {
    for (int x = 0; x < in.width; ++x) {
      // the source of (x, y) is (x, y) rotated by -degrees about the centre
      const double sx = cx + (x - cx) * c + (y - cy) * s, sy = cy - (x - cx) * s + (y - cy) * c;
      if (sx < 0 || sy < 0 || sx > in.width - 1 || sy > in.height - 1) continue;
      const int x0 = static_cast<int>(sx), y0 = static_cast<int>(sy);
      const int x1 = std::min(x0 + 1, in.width - 1), y1 = std::min(y0 + 1, in.height - 1);
      const double wx = sx - x0, wy = sy - y0;
      const double v = (in.at(x0, y0) * (1 - wx) + in.at(x1, y0) * wx) * (1 - wy) +
                       (in.at(x0, y1) * (1 - wx) + in.at(x1, y1) * wx) * wy;
      out.image.at(x, y) = static_cast<std::uint8_t>(std::lround(v));
    }
  }
  for (const Box& b : plate.boxes) {
    double min_x = 1e9, min_y = 1e9, max_x = -1e9, max_y = -1e9;
    for (const double px : {static_cast<double>(b.x), b.x + b.width - 1.0}) {
      for (const double py : {static_cast<double>(b.y), b.y + b.height - 1.0}) {
        const double rx = cx + (px - cx) * c - (py - cy) * s, ry = cy + (px - cx) * s + (py - cy) * c;
        min_x = std::min(min_x, rx), max_x = std::max(max_x, rx), min_y = std::min(min_y, ry), max_y = std::max(max_y, ry);
      }
    }
    const int x0 = static_cast<int>(std::lround(min_x)), y0 = static_cast<int>(std::lround(min_y));
    out.boxes.push_back({x0, y0, static_cast<int>(std::lround(max_x)) - x0 + 1, static_cast<int>(std::lround(max_y)) - y0 + 1});
  }
  return out;
}

void add_noise(GrayImage& image, double sigma, std::uint64_t seed) {
  Rng rng(seed);
  for (std::uint8_t& p : image.pixels) p = static_cast<std::uint8_t>(std::clamp(std::lround(p + sigma * rng.normal()), 0L, 255L));
}

void box_blur(GrayImage& image) {
  const GrayImage in = image;
  for (int y = 0; y < in.height; ++y) {
    for (int x = 0; x < in.width; ++x) {
      int sum = 0;
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) sum += in.at(std::clamp(x + dx, 0, in.width - 1), std::clamp(y + dy, 0, in.height - 1));
      image.at(x, y) = static_cast<std::uint8_t>((sum + 4) / 9);
    }
  }
}

}  // namespace

// The clean plate of PlateSpec{} (used by char_crops_test.cc and ocr_crops_cli_test.cc).
GrayImage clean_synthetic_plate() { return synthetic_plate(PlateSpec{}).image; }

namespace {

// Every found box is within `tolerance` px (each edge) of the drawn one.
void expect_boxes_near(const Segmentation& cut, const std::vector<Box>& drawn, int tolerance) {
  ASSERT_TRUE(cut.ok) << cut.failure;
  ASSERT_EQ(cut.boxes.size(), drawn.size());
  for (std::size_t i = 0; i < drawn.size(); ++i) {
    const Box& f = cut.boxes[i];
    const Box& d = drawn[i];
    EXPECT_NEAR(f.x, d.x, tolerance) << "box " << i;
    EXPECT_NEAR(f.y, d.y, tolerance) << "box " << i;
    EXPECT_NEAR(f.x + f.width, d.x + d.width, tolerance) << "box " << i;
    EXPECT_NEAR(f.y + f.height, d.y + d.height, tolerance) << "box " << i;
  }
}

TEST(SegmentPlate, CleanPlateGivesTheDrawnBoxesAndCrops) {
  const SyntheticPlate plate = synthetic_plate(PlateSpec{});
  const Segmentation cut = segment_plate(plate.image, SegmentOptions{});
  expect_boxes_near(cut, plate.boxes, 0);
  EXPECT_EQ(cut.skew_degrees, 0);
  EXPECT_FALSE(cut.inverted);
  ASSERT_EQ(cut.crops.size(), 7u);
  for (const GrayImage& crop : cut.crops) {
    EXPECT_EQ(crop.width, 12);
    EXPECT_EQ(crop.height, 16);
  }
  // The ring (12x22 drawn, 9x16 in the crop, centred): ink 255 on its wall, 0 in its hole and the margins.
  const GrayImage& ring = cut.crops[1];
  EXPECT_EQ(ring.at(6, 0), 255);
  EXPECT_EQ(ring.at(6, 8), 0);
  EXPECT_EQ(ring.at(0, 8), 0);
  EXPECT_EQ(ring.at(11, 8), 0);
  EXPECT_GE(ring.at(2, 8), 200);
  // The bar "1" (3x22) is scaled to full height and stays narrow, in the middle.
  const GrayImage& bar = cut.crops[3];
  for (int y = 0; y < 16; ++y) {
    EXPECT_EQ(bar.at(0, y), 0);
    EXPECT_EQ(bar.at(11, y), 0);
    EXPECT_GE(std::max(bar.at(5, y), bar.at(6, y)), 200) << y;
  }
}

TEST(SegmentPlate, MercosulTopBandWithLetteringIsIgnored) {
  PlateSpec spec;
  spec.top_band = true;
  spec.char_top = 13;
  const SyntheticPlate plate = synthetic_plate(spec);
  expect_boxes_near(segment_plate(plate.image, SegmentOptions{}), plate.boxes, 0);
}

TEST(SegmentPlate, PlateWithoutBorderAndWithGroupGapAndHyphen) {
  PlateSpec spec;
  spec.border = false;
  spec.group_at = 3;
  spec.group_gap = 8;
  SyntheticPlate plate = synthetic_plate(spec);
  // "ABC-1234": a dash between the groups is not a character
  const int dash_x = plate.boxes[2].x + plate.boxes[2].width + 4;
  for (int y = 22; y < 25; ++y)
    for (int x = dash_x; x < dash_x + 6; ++x) plate.image.at(x, y) = spec.ink;
  expect_boxes_near(segment_plate(plate.image, SegmentOptions{}), plate.boxes, 0);
}

TEST(SegmentPlate, BoxesKeepTailsAndHooksBelowTheLine) {
  PlateSpec spec;
  spec.glyphs = {Glyph::kJ, Glyph::kQ, Glyph::kH, Glyph::kBar, Glyph::kSeven, Glyph::kEl, Glyph::kQ};
  const SyntheticPlate plate = synthetic_plate(spec);
  EXPECT_EQ(plate.boxes[0].height, 25);  // the hook ends 3 rows below the line
  expect_boxes_near(segment_plate(plate.image, SegmentOptions{}), plate.boxes, 0);
}

TEST(SegmentPlate, RemainsOfASlantedBorderSideAndTopBandAreIgnored) {
  // Seen in perspective, the band's lower edge runs down to the text rows on the
  // right, and the left side of the border leans.
  PlateSpec spec;
  spec.top_band = true;
  spec.char_top = 15;
  spec.char_height = 18;
  SyntheticPlate plate = synthetic_plate(spec);
  for (int y = 11; y < 14; ++y)
    for (int x = 100 + 4 * (y - 11); x < 128; ++x) plate.image.at(x, y) = spec.ink;
  for (int y = 3; y < 37; ++y)
    for (int x = 1; x < 3; ++x) plate.image.at(x, y) = spec.paper;
  for (int y = 3; y < 37; ++y)
    for (int x = 3 + (y - 3) / 9; x < 5 + (y - 3) / 9; ++x) plate.image.at(x, y) = spec.ink;
  expect_boxes_near(segment_plate(plate.image, SegmentOptions{}), plate.boxes, 1);

  // A side leaning against the first character: the side's columns are cut off
  // (the rows where it touches the E's bars lose them, so only x is checked there).
  SyntheticPlate joined = synthetic_plate(PlateSpec{});
  for (int y = 3; y < 37; ++y)
    for (int x = 1; x < 10; ++x) joined.image.at(x, y) = spec.paper;
  for (int y = 3; y < 37; ++y)
    for (int x = 6 + (y - 3) / 8; x < 8 + (y - 3) / 8; ++x) joined.image.at(x, y) = spec.ink;
  const Segmentation cut = segment_plate(joined.image, SegmentOptions{});
  ASSERT_TRUE(cut.ok) << cut.failure;
  EXPECT_NEAR(cut.boxes[0].x, joined.boxes[0].x, 1);
  EXPECT_NEAR(cut.boxes[0].x + cut.boxes[0].width, joined.boxes[0].x + joined.boxes[0].width, 1);
  joined.boxes[0] = cut.boxes[0];
  expect_boxes_near(cut, joined.boxes, 1);
}

TEST(SegmentPlate, LinesInsideThePlateAreCutOffOrDropped) {
  // A vertical line inside the plate (the edge of a sticker, clear of the border)
  // touching the first character: its columns join the character's and are cut
  // off. Right of the last character, too far to be merged with it, another such
  // line: dropped.
  PlateSpec spec;
  spec.left = 21;
  spec.gap = 2;
  SyntheticPlate plate = synthetic_plate(spec);
  for (int y = 5; y < 35; ++y) {
    for (int x = 19; x < 21; ++x) plate.image.at(x, y) = 35;
    for (int x = 122; x < 124; ++x) plate.image.at(x, y) = 35;
  }
  expect_boxes_near(segment_plate(plate.image, SegmentOptions{}), plate.boxes, 1);
}

TEST(SegmentPlate, ASliverAtTheEdgeOfTheImageIsDropped) {
  // Cropped tightly, without its border: something dark at the right edge, as tall
  // as the text.
  PlateSpec spec;
  spec.border = false;
  SyntheticPlate plate = synthetic_plate(spec);
  for (int y = 10; y < 32; ++y)
    for (int x = 127; x < 130; ++x) plate.image.at(x, y) = spec.ink;
  expect_boxes_near(segment_plate(plate.image, SegmentOptions{}), plate.boxes, 0);
}

TEST(SegmentPlate, TouchingCharactersAreSplit) {
  PlateSpec spec;
  spec.glyphs = {Glyph::kE, Glyph::kRing, Glyph::kRing, Glyph::kH, Glyph::kSeven, Glyph::kEl, Glyph::kRing};
  spec.touching_after = 1;  // the two rings touch
  const SyntheticPlate plate = synthetic_plate(spec);
  expect_boxes_near(segment_plate(plate.image, SegmentOptions{}), plate.boxes, 1);
}

TEST(SegmentPlate, BrokenCharacterIsMerged) {
  PlateSpec spec;
  spec.glyphs = {Glyph::kE, Glyph::kRing, Glyph::kBrokenH, Glyph::kBar, Glyph::kSeven, Glyph::kEl, Glyph::kRing};
  const SyntheticPlate plate = synthetic_plate(spec);
  expect_boxes_near(segment_plate(plate.image, SegmentOptions{}), plate.boxes, 0);
}

TEST(SegmentPlate, RotationOfAFewDegreesIsUndone) {
  for (const double degrees : {3.0, -2.5}) {
    const SyntheticPlate plate = rotated(synthetic_plate(PlateSpec{}), degrees, 215);
    const Segmentation cut = segment_plate(plate.image, SegmentOptions{});
    EXPECT_NEAR(cut.skew_degrees, degrees, 0.5);
    expect_boxes_near(cut, plate.boxes, 3);
  }
}

TEST(SegmentPlate, LeaningTextIsStraightened) {
  // Each row shifted by 0.1 px per row from the middle (a camera looking from the side).
  const SyntheticPlate upright = synthetic_plate(PlateSpec{});
  SyntheticPlate plate{GrayImage(130, 40, 215), {}};
  for (int y = 0; y < 40; ++y) {
    const int shift = static_cast<int>(std::lround(0.1 * (y - 19.5)));
    for (int x = 0; x < 130; ++x) plate.image.at(x, y) = upright.image.at(std::clamp(x - shift, 0, 129), y);
  }
  for (const Box& b : upright.boxes) {
    const int top = static_cast<int>(std::lround(0.1 * (b.y - 19.5)));
    const int bottom = static_cast<int>(std::lround(0.1 * (b.y + b.height - 1 - 19.5)));
    plate.boxes.push_back({b.x + std::min(top, bottom), b.y, b.width + std::abs(bottom - top), b.height});
  }
  const Segmentation cut = segment_plate(plate.image, SegmentOptions{});
  EXPECT_NEAR(cut.slant, 0.1, 0.021);
  expect_boxes_near(cut, plate.boxes, 1);
}

TEST(SegmentPlate, BlurNoiseAndSmallOcclusionsAreTolerated) {
  PlateSpec spec;
  spec.top_band = true;
  spec.char_top = 13;
  SyntheticPlate plate = synthetic_plate(spec);
  // mud in a gap (too small for a character) and a light scratch across the E's middle bar
  for (int y = 30; y < 33; ++y)
    for (int x = plate.boxes[4].x - 3; x < plate.boxes[4].x - 1; ++x) plate.image.at(x, y) = spec.ink;
  for (int y = 23; y < 27; ++y)
    for (int x = plate.boxes[0].x + 5; x < plate.boxes[0].x + 8; ++x) plate.image.at(x, y) = spec.paper;
  box_blur(plate.image);
  add_noise(plate.image, 14, 7);
  expect_boxes_near(segment_plate(plate.image, SegmentOptions{}), plate.boxes, 1);
}

TEST(SegmentPlate, LightCharactersOnADarkPlateAndUnevenLighting) {
  SyntheticPlate plate = synthetic_plate(PlateSpec{});
  for (std::uint8_t& p : plate.image.pixels) p = static_cast<std::uint8_t>(255 - p);
  const Segmentation dark = segment_plate(plate.image, SegmentOptions{});
  EXPECT_TRUE(dark.inverted);
  expect_boxes_near(dark, plate.boxes, 0);

  // Light from the left: the paper goes from 215 to ~130, the ink from 35 to ~20.
  SyntheticPlate shaded = synthetic_plate(PlateSpec{});
  for (int y = 0; y < shaded.image.height; ++y)
    for (int x = 0; x < shaded.image.width; ++x)
      shaded.image.at(x, y) = static_cast<std::uint8_t>(shaded.image.at(x, y) * (1.0 - 0.4 * x / shaded.image.width));
  expect_boxes_near(segment_plate(shaded.image, SegmentOptions{}), shaded.boxes, 0);
}

TEST(SegmentPlate, GreyPlateInLightSurroundings) {
  // A zoomed-out crop: a grey plate (paper 150, ink 40) with a white wall around
  // it. Over the whole image Otsu would split wall from plate; the plate's centre
  // splits ink from paper.
  PlateSpec spec;
  spec.paper = 150;
  spec.ink = 40;
  const SyntheticPlate plate = synthetic_plate(spec);
  SyntheticPlate framed{GrayImage(150, 56, 250), {}};
  for (int y = 0; y < 40; ++y)
    for (int x = 0; x < 130; ++x) framed.image.at(x + 10, y + 8) = plate.image.at(x, y);
  for (const Box& b : plate.boxes) framed.boxes.push_back({b.x + 10, b.y + 8, b.width, b.height});
  const Segmentation cut = segment_plate(framed.image, SegmentOptions{});
  EXPECT_FALSE(cut.inverted);
  expect_boxes_near(cut, framed.boxes, 0);
}

TEST(SegmentPlate, CropSizeAndCharacterCountFollowTheOptions) {
  PlateSpec spec;
  spec.glyphs = {Glyph::kE, Glyph::kRing, Glyph::kH, Glyph::kSeven, Glyph::kEl, Glyph::kRing};
  spec.left = 16;
  const SyntheticPlate plate = synthetic_plate(spec);
  SegmentOptions options;
  options.expected_chars = 6;
  options.crop_width = 20;
  options.crop_height = 24;
  const Segmentation cut = segment_plate(plate.image, options);
  expect_boxes_near(cut, plate.boxes, 0);
  EXPECT_EQ(cut.crops[0].width, 20);
  EXPECT_EQ(cut.crops[0].height, 24);
}

TEST(SegmentPlate, FailuresSayWhy) {
  EXPECT_EQ(segment_plate(GrayImage(130, 40, 200), SegmentOptions{}).failure, "plate is blank: no contrast (gray levels 200..200)");
  PlateSpec empty;
  empty.glyphs.clear();
  const Segmentation blank = segment_plate(synthetic_plate(empty).image, SegmentOptions{});
  EXPECT_FALSE(blank.ok);
  EXPECT_EQ(blank.failure, "plate is blank: no ink inside the plate border");
  EXPECT_TRUE(blank.boxes.empty());

  PlateSpec four;
  four.glyphs = {Glyph::kE, Glyph::kRing, Glyph::kH, Glyph::kSeven};
  EXPECT_EQ(segment_plate(synthetic_plate(four).image, SegmentOptions{}).failure,
            "found 4 character columns, expected 7 (none wide enough to be touching characters)");

  PlateSpec nine;
  nine.glyphs = {Glyph::kE, Glyph::kRing, Glyph::kH, Glyph::kSeven, Glyph::kEl, Glyph::kRing, Glyph::kE, Glyph::kH, Glyph::kRing};
  nine.char_width = 10;
  nine.gap = 3;
  nine.left = 8;
  EXPECT_EQ(segment_plate(synthetic_plate(nine).image, SegmentOptions{}).failure,
            "found 9 character columns, expected 7 (too many to be broken characters)");

  // Only specks: no run of rows tall enough for characters.
  PlateSpec specks;
  specks.glyphs.clear();
  SyntheticPlate dotted = synthetic_plate(specks);
  for (int x = 10; x < 120; x += 6)
    for (int y = 20; y < 23; ++y)
      for (int dx = 0; dx < 3; ++dx) dotted.image.at(x + dx, y) = 35;
  EXPECT_EQ(segment_plate(dotted.image, SegmentOptions{}).failure,
            "no text band found: the tallest run of inked rows is 3 px, characters need at least 9 px");

  EXPECT_EQ(segment_plate(GrayImage(10, 5, 0), SegmentOptions{}).failure, "plate image is too small: 10x5 (at least 16x8)");
  SegmentOptions bad;
  bad.crop_width = 0;
  EXPECT_NE(error_of([&] { segment_plate(GrayImage(130, 40), bad); }).find("crop size"), std::string::npos);
}

TEST(SegmentPlate, SameImageSameCrops) {
  SyntheticPlate plate = rotated(synthetic_plate(PlateSpec{}), 2.0, 215);
  add_noise(plate.image, 10, 3);
  const Segmentation a = segment_plate(plate.image, SegmentOptions{});
  const Segmentation b = segment_plate(plate.image, SegmentOptions{});
  ASSERT_TRUE(a.ok) << a.failure;
  for (std::size_t i = 0; i < a.crops.size(); ++i) EXPECT_EQ(a.crops[i].pixels, b.crops[i].pixels);
}

TEST(FitChar, KeepsTheAspectRatioAndCentres) {
  const GrayImage wide(6, 4, 255);
  const GrayImage fitted = fit_char(wide, 12, 16);  // scale 2: 12x8, rows 4..11
  for (int y = 0; y < 16; ++y) EXPECT_EQ(fitted.at(5, y), (y >= 4 && y < 12) ? 255 : 0) << y;
  EXPECT_EQ(fit_char(GrayImage(), 3, 2).pixels, std::vector<std::uint8_t>(6, 0));
}

TEST(CropFeatures, AreThePixelsRowMajor) {
  GrayImage crop(3, 2, 0);
  crop.at(2, 0) = 255;
  crop.at(0, 1) = 7;
  EXPECT_EQ(crop_features(crop), (std::vector<float>{0, 0, 255, 7, 0, 0}));
}

TEST(DrawBoxes, OutlinesInsideTheImage) {
  const GrayImage drawn = draw_boxes(GrayImage(5, 5, 9), {{1, 1, 3, 3}, {3, 3, 9, 9}}, 0);
  EXPECT_EQ(drawn.at(1, 1), 0);
  EXPECT_EQ(drawn.at(2, 2), 9);  // inside the first box
  EXPECT_EQ(drawn.at(4, 3), 0);  // top edge of the second, clipped at the image
  EXPECT_EQ(drawn.at(0, 0), 9);
}

}  // namespace
}  // namespace testing
}  // namespace tinymlops

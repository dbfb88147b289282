#include "plate_ocr/plate_render.h"

#include <gtest/gtest.h>

#include <set>

#include "test_util.h"
#include "tinymlops/core/error.h"

namespace tinymlops {
namespace {

using testing::error_of;

const PlateFormat& old_format() { return brazilian_plate_formats()[0]; }
const PlateFormat& mercosul_format() { return brazilian_plate_formats()[1]; }

double mean_rows(const GrayImage& image, int y0, int y1, int x0, int x1) {
  double sum = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) sum += image.at(x, y);
  return sum / ((y1 - y0) * (x1 - x0));
}

// Runs of columns in rows [y0, y1) holding a pixel darker than `threshold`.
std::vector<std::pair<int, int>> ink_column_runs(const GrayImage& image, int y0, int y1, int x0, int x1, int threshold) {
  std::vector<std::pair<int, int>> runs;
  for (int x = x0; x < x1; ++x) {
    bool ink = false;
    for (int y = y0; y < y1; ++y) ink = ink || image.at(x, y) < threshold;
    if (!ink) continue;
    if (!runs.empty() && runs.back().second == x) {
      runs.back().second = x + 1;
    } else {
      runs.push_back({x, x + 1});
    }
  }
  return runs;
}

TEST(PlateRender, RandomTextFollowsTheFormatAndUsesEveryCharacter) {
  Rng rng(3);
  std::set<char> seen;
  for (int i = 0; i < 400; ++i) {
    const PlateFormat& format = brazilian_plate_formats()[i % 2];
    const std::string text = random_plate_text(format, rng);
    ASSERT_TRUE(matches_format(text, format)) << text;
    seen.insert(text.begin(), text.end());
  }
  EXPECT_EQ(seen.size(), 36u);
}

TEST(PlateRender, PlatesAreFixedSizeAndDeterministic) {
  PlateRenderer renderer;
  for (const PlateFormat& format : brazilian_plate_formats()) {
    Rng a(11), b(11);
    const RenderedPlate pa = renderer.render(random_plate_text(format, a), format, a);
    const RenderedPlate pb = renderer.render(random_plate_text(format, b), format, b);
    EXPECT_EQ(pa.image.width, kPlateWidth);
    EXPECT_EQ(pa.image.height, kPlateHeight);
    EXPECT_EQ(pa.image.pixels, pb.image.pixels);
    EXPECT_EQ(pa.boxes.size(), 7u);
  }
  Rng c(12);
  Rng d(11);
  EXPECT_NE(render_plate("ABC1234", old_format(), c).pixels, render_plate("ABC1234", old_format(), d).pixels);
}

// The guarantees the segmenter relies on, over many random plates of every font.
TEST(PlateRender, SevenSeparatedCharactersInsideTheTextArea) {
  PlateRenderer renderer;
  Rng rng(5);
  std::set<std::string> fonts;
  for (int i = 0; i < 300; ++i) {
    const PlateFormat& format = brazilian_plate_formats()[i % 2];
    const bool mercosul = format.name == "mercosul";
    const std::string text = random_plate_text(format, rng);
    const PlateStyle style = renderer.random_style(format, rng);
    const RenderedPlate plate = renderer.render(text, format, style);
    fonts.insert(plate.font);
    const int area_top = mercosul ? kMercosulBandTop + kMercosulBandRows + 2 : kPlateBorder + 2;
    ASSERT_EQ(plate.boxes.size(), 7u);
    for (std::size_t c = 0; c < 7; ++c) {
      const Box& box = plate.boxes[c];
      EXPECT_GE(box.x, kPlateBorder + 2) << text;
      EXPECT_LE(box.x + box.width, kPlateWidth - kPlateBorder - 2) << text;
      EXPECT_GE(box.y, area_top) << text;
      EXPECT_LE(box.y + box.height, kPlateHeight - kPlateBorder - 2) << text;
      EXPECT_GE(box.height, 12) << text;
      if (c > 0) EXPECT_GE(box.x - (plate.boxes[c - 1].x + plate.boxes[c - 1].width), 3) << text;
    }
    // From the pixels alone: exactly seven runs of ink columns, at the boxes.
    const int threshold = (style.plate_grey + style.ink_grey) / 2;
    const auto runs = ink_column_runs(plate.image, area_top, kPlateHeight - kPlateBorder - 2, kPlateBorder + 2,
                                      kPlateWidth - kPlateBorder - 2, threshold);
    ASSERT_EQ(runs.size(), 7u) << text << " font " << plate.font;
    for (std::size_t c = 0; c < 7; ++c) {
      EXPECT_GE(runs[c].first, plate.boxes[c].x);
      EXPECT_LE(runs[c].second, plate.boxes[c].x + plate.boxes[c].width);
    }
  }
  EXPECT_EQ(fonts.size(), 3u);
}

TEST(PlateRender, MercosulHasADarkBandOldPlatesAPlainTop) {
  PlateRenderer renderer;
  Rng rng(8);
  for (int i = 0; i < 20; ++i) {
    const GrayImage old_plate = renderer.render(random_plate_text(old_format(), rng), old_format(), rng).image;
    const GrayImage mercosul = renderer.render(random_plate_text(mercosul_format(), rng), mercosul_format(), rng).image;
    const int band_end = kMercosulBandTop + kMercosulBandRows;
    const double old_top = mean_rows(old_plate, kMercosulBandTop, band_end, 2, kPlateWidth - 2);
    const double band = mean_rows(mercosul, kMercosulBandTop, band_end, 2, kPlateWidth - 2);
    EXPECT_GE(mean_rows(old_plate, kPlateBorder, kPlateBorder + 2, 2, kPlateWidth - 2), 175.0);  // the plain plate
    EXPECT_LT(band, 130.0);  // the band (with its small light text)
    EXPECT_GT(old_top - band, 40.0);  // even with the tops of the characters in those rows
    // The band carries light "BRASIL" text, the old top nothing darker than the plate.
    EXPECT_GT(*std::max_element(mercosul.pixels.begin() + kPlateWidth * 4, mercosul.pixels.begin() + kPlateWidth * 8), 200);
    // White Mercosul plates, grey old ones (the background just above the bottom border).
    EXPECT_GT(mean_rows(mercosul, 37, 38, 4, 126), mean_rows(old_plate, 37, 38, 4, 126));
  }
}

TEST(PlateRender, OldPlatesSetTheDigitsApartMercosulSpacesEvenly) {
  PlateRenderer renderer;
  PlateStyle style;
  style.group_gap = 7;
  style.gap = 3;
  style.cell_width = 12;
  // Twice the distance between neighbouring characters' centres (cells are 15 px apart).
  auto spacing = [](const RenderedPlate& p, std::size_t c) {
    return 2 * p.boxes[c + 1].x + p.boxes[c + 1].width - (2 * p.boxes[c].x + p.boxes[c].width);
  };
  const RenderedPlate old_plate = renderer.render("HHH0000", old_format(), style);
  const RenderedPlate mercosul = renderer.render("HHH0H00", mercosul_format(), style);
  for (std::size_t c = 0; c + 1 < 7; ++c) {
    EXPECT_NEAR(spacing(old_plate, c), c == 2 ? 44 : 30, 2) << c;
    EXPECT_NEAR(spacing(mercosul, c), 30, 2) << c;
  }
}

TEST(PlateRender, OldDashSitsBetweenLettersAndDigitsClearOfBoth) {
  PlateRenderOptions options;
  options.old_dash = true;
  PlateRenderer renderer(options);
  PlateStyle style;
  style.group_gap = 8;
  const RenderedPlate plate = renderer.render("ABC1234", old_format(), style);
  const int left = plate.boxes[2].x + plate.boxes[2].width, right = plate.boxes[3].x;
  const auto runs = ink_column_runs(plate.image, kPlateBorder + 2, kPlateHeight - 4, left, right, 120);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_GE(runs[0].first - left, 3);
  EXPECT_GE(right - runs[0].second, 3);
}

TEST(PlateRender, TextAndStyleAreChecked) {
  PlateRenderer renderer;
  PlateStyle style;
  EXPECT_EQ(error_of([&] { renderer.render("ABC1D23", old_format(), style); }),
            "plate 'ABC1D23': does not match format old (LLLNNNN)");
  style.font = 7;
  EXPECT_EQ(error_of([&] { renderer.render("ABC1234", old_format(), style); }), "plate style font: 7 is outside 0..2");
  style.font = 0;
  style.cell_width = 20;
  style.gap = 6;
  EXPECT_EQ(error_of([&] { renderer.render("ABC1234", old_format(), style); }),
            "plate style: the characters (176 px wide) do not fit the plate's 122 px");
  PlateRenderOptions missing;
  missing.fonts = {"/missing/font.ttf"};
  EXPECT_NE(error_of([&] { PlateRenderer bad(missing); }).find("/missing/font.ttf: font file not found"), std::string::npos);
}

}  // namespace
}  // namespace tinymlops

#include "plate_ocr/degrade.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "test_util.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/hash.h"
#include "plate_ocr/plate_render.h"

namespace tinymlops {
namespace {

using testing::error_of;

// A plate-like test card: light background, dark vertical bars and a border.
GrayImage test_card() {
  GrayImage image(kPlateWidth, kPlateHeight, 220);
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      const bool border = x < 2 || y < 2 || x >= image.width - 2 || y >= image.height - 2;
      const bool bar = y >= 8 && y < 32 && (x % 16) >= 6 && (x % 16) < 10;
      if (border || bar) image.at(x, y) = 30;
    }
  }
  return image;
}

// Centroid of the pixels darker than 128.
std::pair<double, double> dark_centroid(const GrayImage& image) {
  double sx = 0, sy = 0, n = 0;
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width; ++x)
      if (image.at(x, y) < 128) sx += x, sy += y, n += 1;
  return {sx / n, sy / n};
}

int changed_pixels(const GrayImage& a, const GrayImage& b) {
  int count = 0;
  for (std::size_t i = 0; i < a.pixels.size(); ++i) count += a.pixels[i] != b.pixels[i] ? 1 : 0;
  return count;
}

TEST(Degrade, StrengthZeroIsTheIdentity) {
  const GrayImage card = test_card();
  Rng rng(1);
  EXPECT_EQ(degrade(card, 0.0, rng).pixels, card.pixels);
  // The drawn parameters are the identity too, and applying them changes nothing.
  Rng rng2(2);
  const DegradeParams identity = draw_degrade_params(0.0, card.width, card.height, rng2);
  EXPECT_EQ(identity.occluder.kind, Occluder::Kind::kNone);
  EXPECT_EQ(identity.blur_passes, 0);
  EXPECT_EQ(identity.noise_sigma_tenths, 0);
  EXPECT_EQ(apply_degradation(card, identity, rng2).pixels, card.pixels);
}

TEST(Degrade, StrengthOutsideZeroToOneIsInvalid) {
  Rng rng(1);
  EXPECT_EQ(error_of([&] { degrade(test_card(), 1.5, rng); }), "degradation: strength 1.500000 is not in 0..1");
  EXPECT_EQ(error_of([&] { degrade(test_card(), std::nan(""), rng); }), "degradation: strength nan is not in 0..1");
}

TEST(Degrade, DrawnParametersStayWithinTheDocumentedRanges) {
  for (const double strength : {0.5, 1.0}) {
    Rng rng(4);
    const int s = static_cast<int>(std::lround(strength * 1000));
    int max_rotation = 0, dark = 0, occluded = 0, max_blur = 0;
    for (int i = 0; i < 2000; ++i) {
      const DegradeParams p = draw_degrade_params(strength, kPlateWidth, kPlateHeight, rng);
      ASSERT_LE(std::abs(p.warp.rotation_millirad), 70 * s / 1000);
      ASSERT_LE(std::abs(p.warp.shear_permille), 120 * s / 1000);
      ASSERT_LE(std::abs(p.warp.perspective_permille), 100 * s / 1000);
      ASSERT_GE(p.warp.zoom_permille, 1000 - 80 * s / 1000);
      ASSERT_LE(p.warp.zoom_permille, 1000 + 40 * s / 1000);
      ASSERT_LE(std::abs(p.warp.shift_x_tenths), 30 * s / 1000);
      ASSERT_LE(std::abs(p.warp.shift_y_tenths), 20 * s / 1000);
      ASSERT_LE(p.blur_passes, (3 * s + 500) / 1000);
      ASSERT_GE(p.contrast_permille, 1000 - 600 * s / 1000);
      ASSERT_LE(p.contrast_permille, 1000);
      ASSERT_GE(p.brightness, -100 * s / 1000);
      ASSERT_LE(p.brightness, 50 * s / 1000);
      ASSERT_LE(p.noise_sigma_tenths, 160 * s / 1000);
      const Occluder& o = p.occluder;
      if (o.kind != Occluder::Kind::kNone) {
        ++occluded;
        // Small against a character (about 12 x 20 px): never covers a whole one.
        ASSERT_LE(o.radius_x, 2 + 2 * s / 1000);
        ASSERT_LE(o.radius_y, 2 + 2 * s / 1000);
        ASSERT_LE(std::hypot(o.end_x - o.x, o.end_y - o.y), 6 + 12 * s / 1000 + 1);
        ASSERT_LE(o.thickness, 2);
        ASSERT_GE(o.y, kPlateHeight / 4);
        ASSERT_LE(o.y, kPlateHeight - 1 - kPlateHeight / 4);
        ASSERT_GE(o.opacity_permille, 500);
        ASSERT_LE(o.opacity_permille, 900);
      }
      max_rotation = std::max(max_rotation, std::abs(p.warp.rotation_millirad));
      max_blur = std::max(max_blur, p.blur_passes);
      dark += p.brightness < -50 * s / 1000 ? 1 : 0;
    }
    // The ranges are used, not just bounded.
    EXPECT_GE(max_rotation, 70 * s / 1000 - 2);
    EXPECT_EQ(max_blur, (3 * s + 500) / 1000);
    EXPECT_NEAR(occluded / 2000.0, 0.6 * strength, 0.05);
    EXPECT_GT(dark, 2000 * 0.25 * 0.3);  // part of the dark plates are darker than any normal one
  }
}

TEST(Degrade, WarpIdentityIsExactAndWholePixelShiftsMovePixels) {
  const GrayImage card = test_card();
  EXPECT_EQ(warp_image(card, Warp{}).pixels, card.pixels);
  Warp shift;
  shift.shift_x_tenths = 20;
  shift.shift_y_tenths = -10;
  const GrayImage moved = warp_image(card, shift);
  for (int y = 0; y < card.height - 1; ++y)
    for (int x = 0; x + 2 < card.width; ++x) ASSERT_EQ(moved.at(x + 2, y), card.at(x, y + 1)) << x << "," << y;
}

TEST(Degrade, RotationTurnsAboutTheCentreClockwiseForPositiveAngles) {
  GrayImage dot(kPlateWidth, kPlateHeight, 255);
  for (int y = 18; y <= 21; ++y)
    for (int x = 102; x <= 105; ++x) dot.at(x, y) = 0;  // centred at (103.5, 19.5): 39 px right of the centre
  Warp turn;
  turn.rotation_millirad = 100;  // 5.7 degrees
  turn.surround_grey = 255;
  const auto [x, y] = dark_centroid(warp_image(dot, turn));
  EXPECT_NEAR(x, 64.5 + 39 * std::cos(0.1), 0.5);
  EXPECT_NEAR(y, 19.5 + 39 * std::sin(0.1), 0.5);  // y grows downwards: clockwise on screen
}

TEST(Degrade, PositivePerspectiveEnlargesTheRightSideAndZoomOutShowsTheSurroundings) {
  GrayImage bars(kPlateWidth, kPlateHeight, 255);
  for (int y = 10; y < 30; ++y) {
    bars.at(20, y) = 0;
    bars.at(109, y) = 0;
  }
  Warp view;
  view.perspective_permille = 100;
  view.surround_grey = 255;
  const GrayImage seen = warp_image(bars, view);
  auto column_height = [&](int x0, int x1) {
    int rows = 0;
    for (int y = 0; y < seen.height; ++y) {
      bool ink = false;
      for (int x = x0; x < x1; ++x) ink = ink || seen.at(x, y) < 160;
      rows += ink ? 1 : 0;
    }
    return rows;
  };
  EXPECT_GE(column_height(100, 125) - column_height(5, 30), 2);

  Warp zoom_out;
  zoom_out.zoom_permille = 900;
  zoom_out.surround_grey = 77;
  const GrayImage framed = warp_image(GrayImage(kPlateWidth, kPlateHeight, 200), zoom_out);
  EXPECT_EQ(framed.at(0, 0), 77);
  EXPECT_EQ(framed.at(kPlateWidth - 1, kPlateHeight - 1), 77);
  EXPECT_EQ(framed.at(kPlateWidth / 2, kPlateHeight / 2), 200);
  EXPECT_EQ(error_of([] { warp_image(test_card(), Warp{0, 0, 0, 0, 0, 0, 0}); }), "warp: zoom 0 permille is not positive");
}

TEST(Degrade, BlurSmoothsEdgesAndKeepsFlatAreas) {
  const GrayImage card = test_card();
  EXPECT_EQ(blur_binomial(card, 0).pixels, card.pixels);
  const GrayImage flat(20, 10, 99);
  EXPECT_EQ(blur_binomial(flat, 3).pixels, flat.pixels);
  const GrayImage blurred = blur_binomial(card, 1);
  // A bar's edge (x = 5 | 6, dark from 6) becomes a ramp: 220, 178ish, 72ish, 30 ...
  EXPECT_GT(blurred.at(5, 20), 30);
  EXPECT_LT(blurred.at(5, 20), 220);
  EXPECT_LT(blurred.at(6, 20), 220);
  EXPECT_EQ(blurred.at(8, 20), 30);  // two columns inside a 4 px bar stay dark after one pass
  double before = 0, after = 0;
  for (std::size_t i = 0; i < card.pixels.size(); ++i) before += card.pixels[i], after += blurred.pixels[i];
  EXPECT_NEAR(after / before, 1.0, 0.01);
  EXPECT_NE(error_of([] { blur_binomial(test_card(), -1); }), "(no error)");
}

TEST(Degrade, LevelsSqueezeContrastAndShiftBrightnessWithClamping) {
  GrayImage ramp(256, 1);
  for (int x = 0; x < 256; ++x) ramp.at(x, 0) = static_cast<std::uint8_t>(x);
  const GrayImage half = adjust_levels(ramp, 500, 0);
  EXPECT_EQ(half.at(0, 0), 64);
  EXPECT_EQ(half.at(128, 0), 128);
  EXPECT_EQ(half.at(255, 0), 191);
  const GrayImage dark = adjust_levels(ramp, 1000, -100);
  EXPECT_EQ(dark.at(50, 0), 0);
  EXPECT_EQ(dark.at(200, 0), 100);
  EXPECT_EQ(adjust_levels(ramp, 1000, 0).pixels, ramp.pixels);
}

TEST(Degrade, NoiseHasTheRequestedSigmaAndIsSeeded) {
  const GrayImage grey(kPlateWidth, kPlateHeight * 4, 128);
  Rng a(21), b(21);
  const GrayImage noisy = add_gaussian_noise(grey, 100, a);  // sigma 10 grey levels
  EXPECT_EQ(add_gaussian_noise(grey, 100, b).pixels, noisy.pixels);
  double sum = 0, sum2 = 0;
  for (std::uint8_t v : noisy.pixels) sum += v - 128.0, sum2 += (v - 128.0) * (v - 128.0);
  const double n = static_cast<double>(noisy.pixels.size());
  EXPECT_NEAR(sum / n, 0.0, 0.5);
  EXPECT_NEAR(std::sqrt(sum2 / n), 10.0, 0.5);
  EXPECT_EQ(add_gaussian_noise(grey, 0, a).pixels, grey.pixels);
}

TEST(Degrade, OccludersChangeOnlyASmallPatch) {
  const GrayImage card = test_card();
  Occluder blob;
  blob.kind = Occluder::Kind::kBlob;
  blob.x = 40, blob.y = 20, blob.radius_x = 3, blob.radius_y = 2;
  blob.grey = 250, blob.opacity_permille = 900;
  const GrayImage spotted = occlude(card, blob);
  const int changed = changed_pixels(card, spotted);
  EXPECT_GT(changed, 10);
  EXPECT_LE(changed, 9 * 7);  // inside the blob's bounding box
  for (int y = 0; y < card.height; ++y)
    for (int x = 0; x < card.width; ++x)
      if (std::abs(x - 40) > 4 || std::abs(y - 20) > 3) ASSERT_EQ(spotted.at(x, y), card.at(x, y));
  EXPECT_GT(spotted.at(40, 20), 220);  // covered: 90% of the way to the occluder's grey

  Occluder bar;
  bar.kind = Occluder::Kind::kBar;
  bar.x = 10, bar.y = 20, bar.end_x = 25, bar.end_y = 24, bar.thickness = 2;
  bar.grey = 0, bar.opacity_permille = 1000;
  const GrayImage barred = occlude(card, bar);
  EXPECT_EQ(barred.at(17, 22), 0);
  EXPECT_EQ(barred.at(17, 30), card.at(17, 30));
  EXPECT_LE(changed_pixels(card, barred), 16 * 5);
  EXPECT_EQ(occlude(card, Occluder{}).pixels, card.pixels);
}

// Degraded plates stay readable at the default strength: the characters stay
// clearly darker than the plate around them (a proxy for "a person reads every
// plate"; docs/plate-ocr-data.md shows a contact sheet): in the text area, the
// 5th percentile grey (ink) is far below the 75th (plate).
TEST(Degrade, DefaultStrengthKeepsPlatesReadable) {
  PlateRenderer renderer;
  Rng rng(31);
  double worst = 255;
  for (int i = 0; i < 200; ++i) {
    const PlateFormat& format = brazilian_plate_formats()[i % 2];
    const RenderedPlate clean = renderer.render(random_plate_text(format, rng), format, rng);
    const GrayImage seen = degrade(clean.image, 0.5, rng);
    ASSERT_EQ(seen.width, kPlateWidth);
    ASSERT_EQ(seen.height, kPlateHeight);
    std::vector<int> greys;
    for (int y = clean.boxes[0].y; y < clean.boxes[0].y + clean.boxes[0].height; ++y)
      for (int x = clean.boxes[0].x; x < clean.boxes[6].x + clean.boxes[6].width; ++x) greys.push_back(seen.at(x, y));
    std::sort(greys.begin(), greys.end());
    const double contrast = greys[greys.size() * 75 / 100] - greys[greys.size() * 5 / 100];
    worst = std::min(worst, contrast);
  }
  EXPECT_GT(worst, 60.0);
}

// Integer pixel arithmetic: the same bytes in every build (Release, the
// sanitizer build's -O1, any -march). The golden hash was taken once.
TEST(Degrade, SameBytesInEveryBuild) {
  Sha256Stream hash;
  Rng rng(2026);
  for (int i = 0; i < 20; ++i) {
    const GrayImage seen = degrade(test_card(), 1.0, rng);
    hash.update(seen.pixels.data(), seen.pixels.size());
  }
  EXPECT_EQ(hash.finish_hex(), "c8092f3a7adf706ae1cb88f1c9e1897c7788b72b56210961afbd5f8796daa18b");
}

}  // namespace
}  // namespace tinymlops

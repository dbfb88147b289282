// Clean Brazilian license plates drawn with FreeType: the training and test
// images of the plate OCR case study before degradation (degrade.h).
//
//   PlateRenderer renderer;                         // opens default_plate_fonts()
//   Rng rng(7);
//   const PlateFormat& mercosul = brazilian_plate_formats()[1];
//   std::string text = random_plate_text(mercosul, rng);        // e.g. "QKD4F27"
//   RenderedPlate plate = renderer.render(text, mercosul, rng);  // 130 x 40 px
//
// Every plate is kPlateWidth x kPlateHeight = 130 x 40 pixels, dark characters on
// a light plate inside a 2 px dark border:
//   - "old" (LLLNNNN, grey plates until 2018): a plain grey plate, the three
//     letters and the four digits set apart by a wider gap (or, with
//     PlateRenderOptions::old_dash, a short dash in that gap);
//   - "mercosul" (LLLNLNN): a white plate with a dark band across the top
//     (rows 2..9, the blue "BRASIL" band: small light "BRASIL" text and a flag
//     mark), the seven characters evenly spaced below it.
// Guarantees the segmenter relies on (clean plates, before degradation):
//   1. The seven characters are in left-to-right order, each inside its own
//      cell; between two characters' ink there are at least 3 blank columns.
//   2. Character ink stays at least 2 px away from the border and, on
//      Mercosul plates, at least 2 px below the band.
// Font, character height and width, spacing, grey levels and a +-1 px jitter of
// the text position vary per plate, drawn from the Rng; the same Rng state and
// fonts give the same bytes in every build (FreeType renders in fixed point; the
// squeezing and compositing here are integer arithmetic).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tinymlops/core/rng.h"
#include "plate_ocr/font.h"
#include "plate_ocr/image.h"
#include "plate_ocr/plate_format.h"

namespace tinymlops {

inline constexpr int kPlateWidth = 130;
inline constexpr int kPlateHeight = 40;
inline constexpr int kPlateBorder = 2;      // border ring thickness, px
inline constexpr int kMercosulBandTop = 2;  // first row of the band
inline constexpr int kMercosulBandRows = 8; // rows 2..9

// A random plate text of `format`: 'L' positions A-Z, 'N' positions 0-9, uniform.
std::string random_plate_text(const PlateFormat& format, Rng& rng);

struct PlateRenderOptions {
  // Font files, one chosen per plate (uniformly). Empty: default_plate_fonts().
  std::vector<std::filesystem::path> fonts;
  // Old plates: draw a short dash between the letters and the digits.
  bool old_dash = false;
};

// The look of one plate; random_style draws one, tests may set their own.
struct PlateStyle {
  int font = 0;            // index into the renderer's fonts
  int cap_height = 20;     // height of a capital letter, px (old 19..22, Mercosul 17..19); made
                           // smaller when a glyph's tail (Q, J) would not fit the text area
  int cell_width = 12;     // width of a character cell, px (11..13); wider glyphs are squeezed to it
  int gap = 3;             // blank columns between cells, px (3..4)
  int group_gap = 0;       // old plates: extra blank columns after the letters (6..8)
  int jitter_x = 0;        // text shift, px (-1..1)
  int jitter_y = 0;        // text shift, px (-1..1)
  int plate_grey = 210;    // plate background (old 175..220, Mercosul 228..250)
  int ink_grey = 30;       // characters (10..50)
  int border_grey = 50;    // border ring (30..70)
  int band_grey = 70;      // Mercosul band (45..95)
};

// What the renderer measures of each font to size its glyphs.
struct PlateFontMetrics {
  int cap_height_at_100 = 0;  // ink height of 'H' at em 100 x 100 px
  int width_at_100 = 0;       // ink width of 'O' at em 100 x 100 px (a typical wide glyph)
};

struct RenderedPlate {
  GrayImage image;              // kPlateWidth x kPlateHeight
  std::vector<Box> boxes;   // where each character's ink was drawn, left to right
  std::string font;             // the font's name, e.g. "DejaVu Sans Mono Bold"
};

class PlateRenderer {
 public:
  // Opens the fonts and checks each has a glyph for every kPlateAlphabet
  // character (throws the Font errors: a missing file names its path).
  explicit PlateRenderer(const PlateRenderOptions& options = {});

  int font_count() const { return static_cast<int>(fonts_.size()); }

  // A random look for a plate of `format` within the ranges of PlateStyle.
  PlateStyle random_style(const PlateFormat& format, Rng& rng) const;

  // The clean plate. Throws Error(kInvalid) when `text` does not match `format`
  // (matches_format) or the style does not fit the plate (a style from
  // random_style always fits).
  RenderedPlate render(const std::string& text, const PlateFormat& format, const PlateStyle& style);
  // The same with random_style(format, rng).
  RenderedPlate render(const std::string& text, const PlateFormat& format, Rng& rng);

 private:
  std::vector<Font> fonts_;
  std::vector<PlateFontMetrics> metrics_;
  bool old_dash_ = false;
};

// A clean plate with default fonts: PlateRenderer().render(text, format, rng).image.
GrayImage render_plate(const std::string& text, const PlateFormat& format, Rng& rng);

}  // namespace tinymlops

#include "plate_ocr/plate_render.h"

#include <algorithm>

#include "tinymlops/core/error.h"

namespace tinymlops {

namespace {

// The text area: inside the border with a 2 px margin, below the band on
// Mercosul plates (guarantee 2 of the header).
constexpr int kMargin = 2;
constexpr int kAreaLeft = kPlateBorder + kMargin;
constexpr int kAreaRight = kPlateWidth - kPlateBorder - kMargin;  // exclusive
constexpr int kAreaBottom = kPlateHeight - kPlateBorder - kMargin;  // exclusive
constexpr int kOldAreaTop = kPlateBorder + kMargin;
constexpr int kMercosulAreaTop = kMercosulBandTop + kMercosulBandRows + kMargin;

bool is_mercosul(const PlateFormat& format) { return format.name == "mercosul"; }

int draw_between(Rng& rng, int low, int high) { return low + static_cast<int>(rng.below(static_cast<uint64_t>(high - low + 1))); }

// `ink` over the pixel with `coverage` 0..255 (integer, rounded).
std::uint8_t blend(int background, int ink, int coverage) {
  return static_cast<std::uint8_t>((background * (255 - coverage) + ink * coverage + 127) / 255);
}

void fill_rect(GrayImage& image, int x0, int y0, int x1, int y1, int grey) {
  for (int y = std::max(0, y0); y < std::min(image.height, y1); ++y) {
    for (int x = std::max(0, x0); x < std::min(image.width, x1); ++x) image.at(x, y) = static_cast<std::uint8_t>(grey);
  }
}

// Draws `coverage` with its top-left at (x0, y0) in `grey`, clipped to rows
// [clip_top, clip_bottom).
void draw_coverage(GrayImage& image, const GrayImage& coverage, int x0, int y0, int grey, int clip_top, int clip_bottom) {
  for (int y = 0; y < coverage.height; ++y) {
    const int py = y0 + y;
    if (py < clip_top || py >= clip_bottom || py < 0 || py >= image.height) continue;
    for (int x = 0; x < coverage.width; ++x) {
      const int px = x0 + x;
      if (px < 0 || px >= image.width || coverage.at(x, y) == 0) continue;
      image.at(px, py) = blend(image.at(px, py), grey, coverage.at(x, y));
    }
  }
}

// The box of the nonzero coverage, relative to the coverage's top-left.
Box ink_box(const GrayImage& coverage) {
  int x0 = coverage.width, y0 = coverage.height, x1 = -1, y1 = -1;
  for (int y = 0; y < coverage.height; ++y) {
    for (int x = 0; x < coverage.width; ++x) {
      if (coverage.at(x, y) == 0) continue;
      x0 = std::min(x0, x);
      x1 = std::max(x1, x);
      y0 = std::min(y0, y);
      y1 = std::max(y1, y);
    }
  }
  if (x1 < 0) return {};
  return {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
}

void check_range(const char* what, int value, int low, int high) {
  if (value < low || value > high) {
    throw Error(ErrorKind::kInvalid, std::string("plate style ") + what,
                std::to_string(value) + " is outside " + std::to_string(low) + ".." + std::to_string(high));
  }
}

// `image` resampled to `width` columns (linear interpolation between the two
// nearest source columns, pixel centres aligned), in integers so the bytes do
// not depend on how the compiler treats floating point. REQUIRES width >= 1.
GrayImage squeeze_width(const GrayImage& image, int width) {
  GrayImage out(width, image.height);
  for (int x = 0; x < width; ++x) {
    // Source position of the output column's centre, in 1/256 px.
    const long position = std::clamp<long>((2L * x + 1) * image.width * 128 / width - 128, 0, (image.width - 1) * 256L);
    const int x0 = static_cast<int>(position / 256);
    const int x1 = std::min(x0 + 1, image.width - 1);
    const long weight = position % 256;
    for (int y = 0; y < image.height; ++y) {
      out.at(x, y) = static_cast<std::uint8_t>((image.at(x0, y) * (256 - weight) + image.at(x1, y) * weight + 128) / 256);
    }
  }
  return out;
}

// The glyphs of `text` with caps `cap_height` high, each cropped to its ink
// (top adjusted) and squeezed to `cell_width` when wider.
std::vector<Glyph> render_line(Font& font, const PlateFontMetrics& metrics, const std::string& text, int cap_height,
                               int cell_width) {
  const int em_height = (cap_height * 100 + metrics.cap_height_at_100 / 2) / metrics.cap_height_at_100;
  const int em_width = (cell_width * 100 + metrics.width_at_100 / 2) / metrics.width_at_100;
  std::vector<Glyph> glyphs;
  for (char c : text) {
    Glyph g = font.render(static_cast<char32_t>(c), em_height, em_width);
    const Box box = ink_box(g.coverage);
    g.coverage = crop(g.coverage, box.x, box.y, box.width, box.height, 0);
    g.top -= box.y;
    if (g.coverage.width > cell_width) g.coverage = squeeze_width(g.coverage, cell_width);
    glyphs.push_back(std::move(g));
  }
  return glyphs;
}

}  // namespace

std::string random_plate_text(const PlateFormat& format, Rng& rng) {
  std::string text;
  for (char kind : format.pattern) {
    text += kind == 'L' ? static_cast<char>('A' + rng.below(26)) : static_cast<char>('0' + rng.below(10));
  }
  return text;
}

PlateRenderer::PlateRenderer(const PlateRenderOptions& options) : old_dash_(options.old_dash) {
  const std::vector<std::filesystem::path> paths = options.fonts.empty() ? default_plate_fonts() : options.fonts;
  for (const auto& path : paths) {
    Font font(path);
    PlateFontMetrics metrics;
    metrics.cap_height_at_100 = ink_box(font.render('H', 100).coverage).height;
    metrics.width_at_100 = ink_box(font.render('O', 100).coverage).width;
    if (metrics.cap_height_at_100 < 10 || metrics.width_at_100 < 10) {
      throw Error(ErrorKind::kInvalid, path.string(), "font's 'H' or 'O' is too small to draw plates with");
    }
    for (const char* c = kPlateAlphabet; *c != '\0'; ++c) font.advance(static_cast<char32_t>(*c), 20);  // has every glyph
    fonts_.push_back(std::move(font));
    metrics_.push_back(metrics);
  }
}

PlateStyle PlateRenderer::random_style(const PlateFormat& format, Rng& rng) const {
  const bool mercosul = is_mercosul(format);
  PlateStyle style;
  style.font = static_cast<int>(rng.below(fonts_.size()));
  style.cap_height = mercosul ? draw_between(rng, 17, 19) : draw_between(rng, 19, 22);
  style.cell_width = mercosul ? draw_between(rng, 11, 13) : draw_between(rng, 11, 12);
  style.gap = draw_between(rng, 3, 4);
  style.group_gap = mercosul ? 0 : draw_between(rng, 6, 8);
  style.jitter_x = draw_between(rng, -1, 1);
  style.jitter_y = draw_between(rng, -1, 1);
  style.plate_grey = mercosul ? draw_between(rng, 228, 250) : draw_between(rng, 175, 220);
  style.ink_grey = draw_between(rng, 10, 50);
  style.border_grey = draw_between(rng, 30, 70);
  style.band_grey = draw_between(rng, 45, 95);
  return style;
}

RenderedPlate PlateRenderer::render(const std::string& text, const PlateFormat& format, Rng& rng) {
  const PlateStyle style = random_style(format, rng);
  return render(text, format, style);
}

RenderedPlate PlateRenderer::render(const std::string& text, const PlateFormat& format, const PlateStyle& style) {
  if (!matches_format(text, format)) {
    throw Error(ErrorKind::kInvalid, "plate '" + text + "'", "does not match format " + format.name + " (" + format.pattern + ")");
  }
  check_range("font", style.font, 0, font_count() - 1);
  check_range("cap_height", style.cap_height, 6, 30);
  check_range("cell_width", style.cell_width, 4, 20);
  check_range("gap", style.gap, 3, 20);
  check_range("group_gap", style.group_gap, 0, 20);
  check_range("plate_grey", style.plate_grey, 0, 255);
  check_range("ink_grey", style.ink_grey, 0, 255);
  check_range("border_grey", style.border_grey, 0, 255);
  check_range("band_grey", style.band_grey, 0, 255);
  const bool mercosul = is_mercosul(format);
  Font& font = fonts_[static_cast<std::size_t>(style.font)];
  const PlateFontMetrics& metrics = metrics_[static_cast<std::size_t>(style.font)];

  RenderedPlate plate;
  plate.font = font.name();
  GrayImage& image = plate.image;
  image = GrayImage(kPlateWidth, kPlateHeight, static_cast<std::uint8_t>(style.border_grey));
  fill_rect(image, kPlateBorder, kPlateBorder, kPlateWidth - kPlateBorder, kPlateHeight - kPlateBorder, style.plate_grey);

  if (mercosul) {
    const int band_bottom = kMercosulBandTop + kMercosulBandRows;
    fill_rect(image, kPlateBorder, kMercosulBandTop, kPlateWidth - kPlateBorder, band_bottom, style.band_grey);
    // Small "BRASIL" (caps 5 px) centred in the band, and a flag mark at its right.
    const int em = (5 * 100 + metrics.cap_height_at_100 - 1) / metrics.cap_height_at_100;
    std::vector<Glyph> letters;
    int width = 0;
    for (char c : std::string("BRASIL")) {
      letters.push_back(font.render(static_cast<char32_t>(c), em));
      width += letters.back().advance + 1;
    }
    int pen = (kPlateWidth - width) / 2;
    const int baseline = kMercosulBandTop + 1 + 5;
    for (const Glyph& g : letters) {
      draw_coverage(image, g.coverage, pen + g.left, baseline - g.top, style.plate_grey, kMercosulBandTop, band_bottom);
      pen += g.advance + 1;
    }
    fill_rect(image, kPlateWidth - kPlateBorder - 10, kMercosulBandTop + 2, kPlateWidth - kPlateBorder - 3, band_bottom - 2,
              (style.band_grey + style.plate_grey) / 2);
  }

  // Glyphs at the style's size, squeezed to the cell when wider; the whole line
  // made smaller when a glyph's tail (Q, J) would not fit the text area.
  const int area_top = mercosul ? kMercosulAreaTop : kOldAreaTop;
  int cap_height = style.cap_height;
  std::vector<Glyph> glyphs;
  for (;;) {
    glyphs = render_line(font, metrics, text, cap_height, style.cell_width);
    int above = 0, below = 0;  // ink rows above and below the baseline
    for (const Glyph& g : glyphs) {
      above = std::max(above, g.top);
      below = std::max(below, g.coverage.height - g.top);
    }
    if (above + below <= kAreaBottom - area_top || cap_height <= 6) break;
    --cap_height;
  }

  // Horizontal layout: cells of cell_width, gap apart, group_gap more after the letters of an old plate.
  const int group_gap = mercosul ? 0 : style.group_gap;
  const int count = static_cast<int>(text.size());
  const int total = count * style.cell_width + (count - 1) * style.gap + group_gap;
  const int x0 = (kPlateWidth - total) / 2 + style.jitter_x;
  if (x0 < kAreaLeft || x0 + total > kAreaRight) {
    throw Error(ErrorKind::kInvalid, "plate style", "the characters (" + std::to_string(total) +
                                                        " px wide) do not fit the plate's " +
                                                        std::to_string(kAreaRight - kAreaLeft) + " px");
  }
  // Vertical layout: caps centred in the text area, the line moved up or down
  // as a whole when a glyph (the tail of a Q) would leave the area.
  int baseline = area_top + (kAreaBottom - area_top - cap_height) / 2 + cap_height + style.jitter_y;
  int ink_top = kPlateHeight, ink_bottom = 0;
  for (const Glyph& g : glyphs) {
    ink_top = std::min(ink_top, baseline - g.top);
    ink_bottom = std::max(ink_bottom, baseline - g.top + g.coverage.height);
  }
  int shift = 0;
  if (ink_bottom > kAreaBottom) shift = kAreaBottom - ink_bottom;
  if (ink_top + shift < area_top) shift = area_top - ink_top;
  baseline += shift;
  ink_top += shift;
  ink_bottom += shift;
  if (ink_bottom > kAreaBottom) {
    throw Error(ErrorKind::kInvalid, "plate style",
                "characters " + std::to_string(ink_bottom - ink_top) + " px high do not fit the plate's " +
                    std::to_string(kAreaBottom - area_top) + " px text area");
  }

  int cell_x = x0;
  for (int i = 0; i < count; ++i) {
    const Glyph& g = glyphs[static_cast<std::size_t>(i)];
    const int gx = cell_x + (style.cell_width - g.coverage.width) / 2;
    const int gy = baseline - g.top;
    draw_coverage(image, g.coverage, gx, gy, style.ink_grey, 0, kPlateHeight);
    plate.boxes.push_back({gx, gy, g.coverage.width, g.coverage.height});
    cell_x += style.cell_width + style.gap;
    if (i == 2 && group_gap > 0) {
      if (old_dash_) {
        // A 2 px dash at mid-cap height, 3 blank columns clear of both neighbours.
        const int dash_left = cell_x - style.gap + 3, dash_right = cell_x + group_gap - 3;
        const int dash_y = baseline - cap_height / 2 - 1;
        if (dash_right > dash_left) fill_rect(image, dash_left, dash_y, dash_right, dash_y + 2, style.ink_grey);
      }
      cell_x += group_gap;
    }
  }
  return plate;
}

GrayImage render_plate(const std::string& text, const PlateFormat& format, Rng& rng) {
  PlateRenderer renderer;
  return renderer.render(text, format, rng).image;
}

}  // namespace tinymlops

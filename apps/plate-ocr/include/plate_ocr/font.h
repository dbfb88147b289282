// A TrueType font opened with FreeType, rendering single glyphs as coverage
// images for the plate renderer (plate_render.h).
//
//   Font font("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf");
//   Glyph a = font.render('A', 28, 20);   // em 28 px high, condensed to 20 px wide
//   // a.coverage: 0 = no ink .. 255 = full ink; draw it with its top-left at
//   // (pen_x + a.left, baseline_y - a.top), then move the pen by a.advance.
//
// FreeType renders with its own fixed-point arithmetic, so the same font file,
// size and character give the same bytes on every build.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "plate_ocr/image.h"

// FreeType's handles, declared here so this header does not pull in ft2build.h.
typedef struct FT_LibraryRec_* FT_Library;
typedef struct FT_FaceRec_* FT_Face;

namespace tinymlops {

// One rendered glyph and where it sits relative to the pen on the baseline.
struct Glyph {
  GrayImage coverage;  // ink coverage, 0 none .. 255 full; may be empty (a space)
  int left = 0;        // x of the coverage's first column, relative to the pen
  int top = 0;         // rows of the coverage above the baseline (y up)
  int advance = 0;     // pen advance in whole pixels (rounded)
};

// The fonts the plate generator uses by default (Debian's fonts-dejavu-core; Condensed from fonts-dejavu-extra):
// DejaVu Sans Bold, DejaVu Sans Mono Bold and DejaVu Sans Condensed Bold.
std::vector<std::filesystem::path> default_plate_fonts();

// An open font face. Owns its FT_Library and FT_Face (RAII); movable, not
// copyable. Not thread-safe: render() changes the face's current size.
class Font {
 public:
  // Opens `path`. Throws Error(kIo) naming the path when the file is missing
  // (suggesting `make setup`, which installs fonts-dejavu-core and -extra) and
  // Error(kFormat) naming it when FreeType cannot read it as a font.
  explicit Font(const std::filesystem::path& path);
  ~Font();
  Font(Font&& other) noexcept;
  Font& operator=(Font&& other) noexcept;
  Font(const Font&) = delete;
  Font& operator=(const Font&) = delete;

  // Renders `character` (a Unicode code point) with the em scaled to
  // `em_height` pixels high and `em_width` pixels wide (0: as high, i.e. the
  // font's own proportions; smaller: condensed). REQUIRES 1 <= em_height,
  // em_width <= 1000. Throws Error(kInvalid) naming the font when it has no
  // glyph for the character or the size is out of range.
  Glyph render(char32_t character, int em_height, int em_width = 0);

  // The pen advance of `character` at that size, in whole pixels.
  int advance(char32_t character, int em_height, int em_width = 0);

  const std::filesystem::path& path() const { return path_; }
  // FreeType's family and style names, e.g. "DejaVu Sans Mono Bold".
  std::string name() const;

 private:
  void set_size(int em_height, int em_width);
  unsigned glyph_index(char32_t character) const;
  void close();

  std::filesystem::path path_;
  FT_Library library_ = nullptr;
  FT_Face face_ = nullptr;
};

}  // namespace tinymlops

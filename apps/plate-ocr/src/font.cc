#include "plate_ocr/font.h"

#include <ft2build.h>
#include FT_FREETYPE_H

#include <cstdio>
#include <utility>

#include "tinymlops/core/error.h"

namespace tinymlops {

std::vector<std::filesystem::path> default_plate_fonts() {
  const std::filesystem::path dir = "/usr/share/fonts/truetype/dejavu";
  return {dir / "DejaVuSans-Bold.ttf", dir / "DejaVuSansMono-Bold.ttf", dir / "DejaVuSansCondensed-Bold.ttf"};
}

Font::Font(const std::filesystem::path& path) : path_(path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw Error(ErrorKind::kIo, path.string(),
                "font file not found (the default fonts come from Debian's fonts-dejavu-core and fonts-dejavu-extra: run `make setup`)");
  }
  if (FT_Init_FreeType(&library_) != 0) {
    library_ = nullptr;
    throw Error(ErrorKind::kIo, path.string(), "FreeType could not be initialised");
  }
  if (FT_New_Face(library_, path.c_str(), 0, &face_) != 0) {
    face_ = nullptr;
    close();
    throw Error(ErrorKind::kFormat, path.string(), "not a font FreeType can read (expected a TrueType/OpenType file)");
  }
  if (!FT_IS_SCALABLE(face_)) {
    close();
    throw Error(ErrorKind::kFormat, path.string(), "not a scalable (outline) font");
  }
}

Font::~Font() { close(); }

Font::Font(Font&& other) noexcept
    : path_(std::move(other.path_)),
      library_(std::exchange(other.library_, nullptr)),
      face_(std::exchange(other.face_, nullptr)) {}

Font& Font::operator=(Font&& other) noexcept {
  if (this != &other) {
    close();
    path_ = std::move(other.path_);
    library_ = std::exchange(other.library_, nullptr);
    face_ = std::exchange(other.face_, nullptr);
  }
  return *this;
}

void Font::close() {
  if (face_ != nullptr) FT_Done_Face(face_);
  if (library_ != nullptr) FT_Done_FreeType(library_);
  face_ = nullptr;
  library_ = nullptr;
}

std::string Font::name() const {
  std::string name = face_->family_name != nullptr ? face_->family_name : "";
  if (face_->style_name != nullptr && std::string(face_->style_name) != "Book") {
    name += std::string(" ") + face_->style_name;
  }
  return name;
}

void Font::set_size(int em_height, int em_width) {
  if (em_width == 0) em_width = em_height;
  if (em_height < 1 || em_height > 1000 || em_width < 1 || em_width > 1000) {
    throw Error(ErrorKind::kInvalid, path_.string(),
                "glyph size " + std::to_string(em_width) + "x" + std::to_string(em_height) + " px is not 1..1000");
  }
  if (FT_Set_Pixel_Sizes(face_, static_cast<FT_UInt>(em_width), static_cast<FT_UInt>(em_height)) != 0) {
    throw Error(ErrorKind::kInvalid, path_.string(),
                "FreeType cannot set the size " + std::to_string(em_width) + "x" + std::to_string(em_height) + " px");
  }
}

unsigned Font::glyph_index(char32_t character) const {
  const FT_UInt index = FT_Get_Char_Index(face_, static_cast<FT_ULong>(character));
  if (index == 0) {
    char code[16];
    std::snprintf(code, sizeof code, "U+%04lX", static_cast<unsigned long>(character));
    throw Error(ErrorKind::kInvalid, path_.string(),
                std::string("font has no glyph for ") + code +
                    (character >= 32 && character < 127 ? std::string(" '") + static_cast<char>(character) + "'" : ""));
  }
  return index;
}

Glyph Font::render(char32_t character, int em_height, int em_width) {
  set_size(em_height, em_width);
  const unsigned index = glyph_index(character);
  if (FT_Load_Glyph(face_, index, FT_LOAD_DEFAULT) != 0 || FT_Render_Glyph(face_->glyph, FT_RENDER_MODE_NORMAL) != 0) {
    throw Error(ErrorKind::kInvalid, path_.string(), "FreeType cannot render glyph " + std::to_string(index));
  }
  const FT_GlyphSlot slot = face_->glyph;
  const FT_Bitmap& bitmap = slot->bitmap;
  if (bitmap.pixel_mode != FT_PIXEL_MODE_GRAY && bitmap.rows > 0) {
    throw Error(ErrorKind::kUnsupported, path_.string(), "FreeType rendered a non-grayscale bitmap");
  }
  Glyph glyph;
  glyph.coverage = GrayImage(static_cast<int>(bitmap.width), static_cast<int>(bitmap.rows));
  const int levels = bitmap.num_grays > 1 ? bitmap.num_grays - 1 : 255;
  for (int y = 0; y < glyph.coverage.height; ++y) {
    const unsigned char* row = bitmap.buffer + static_cast<long>(y) * bitmap.pitch;
    for (int x = 0; x < glyph.coverage.width; ++x) {
      glyph.coverage.at(x, y) = static_cast<std::uint8_t>((row[x] * 255 + levels / 2) / levels);
    }
  }
  glyph.left = slot->bitmap_left;
  glyph.top = slot->bitmap_top;
  glyph.advance = static_cast<int>((slot->advance.x + 32) >> 6);
  return glyph;
}

int Font::advance(char32_t character, int em_height, int em_width) {
  set_size(em_height, em_width);
  const unsigned index = glyph_index(character);
  if (FT_Load_Glyph(face_, index, FT_LOAD_DEFAULT) != 0) {
    throw Error(ErrorKind::kInvalid, path_.string(), "FreeType cannot load glyph " + std::to_string(index));
  }
  return static_cast<int>((face_->glyph->advance.x + 32) >> 6);
}

}  // namespace tinymlops

#include "plate_ocr/font.h"

#include <gtest/gtest.h>

#include "test_util.h"
#include "tinymlops/core/error.h"

namespace tinymlops {
namespace {

using testing::error_of;

const std::filesystem::path kSansBold = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

ErrorKind kind_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no error";
  return ErrorKind::kUsage;
}

int max_coverage(const GrayImage& image) {
  int best = 0;
  for (std::uint8_t v : image.pixels) best = std::max(best, static_cast<int>(v));
  return best;
}

TEST(Font, MissingFileIsOneLineNamingThePathAndTheSetup) {
  const std::string message = error_of([] { Font font("/no/such/Font.ttf"); });
  EXPECT_EQ(message,
            "/no/such/Font.ttf: font file not found (the default fonts come from Debian's fonts-dejavu-core and "
            "fonts-dejavu-extra: run `make setup`)");
  EXPECT_EQ(kind_of([] { Font font("/no/such/Font.ttf"); }), ErrorKind::kIo);
}

TEST(Font, FileThatIsNotAFontIsAFormatError) {
  testing::TempDir dir;
  const auto path = dir.write("fake.ttf", "this is text, not a font\n");
  EXPECT_EQ(error_of([&] { Font font(path); }),
            path.string() + ": not a font FreeType can read (expected a TrueType/OpenType file)");
  EXPECT_EQ(kind_of([&] { Font font(path); }), ErrorKind::kFormat);
}

TEST(Font, DefaultPlateFontsAreInstalledAndNamed) {
  const auto paths = default_plate_fonts();
  ASSERT_EQ(paths.size(), 3u);
  Font font(paths[1]);
  EXPECT_EQ(font.name(), "DejaVu Sans Mono Bold");
  EXPECT_EQ(font.path(), paths[1]);
}

TEST(Font, RendersCapitalsAtTheRequestedHeight) {
  Font font(kSansBold);
  const Glyph h = font.render('H', 40);
  // DejaVu's caps are 0.729 em: 29 px at em 40; 'H' sits on the baseline.
  EXPECT_NEAR(h.coverage.height, 29, 1);
  EXPECT_EQ(h.top, h.coverage.height);
  EXPECT_EQ(max_coverage(h.coverage), 255);
  EXPECT_GT(h.advance, h.coverage.width);
  EXPECT_EQ(font.advance('H', 40), h.advance);
  // Twice the em, twice the glyph.
  EXPECT_NEAR(font.render('H', 80).coverage.height, 2 * h.coverage.height, 2);
}

TEST(Font, NarrowerEmCondensesTheGlyph) {
  Font font(kSansBold);
  const Glyph wide = font.render('O', 40);
  const Glyph narrow = font.render('O', 40, 20);
  EXPECT_EQ(narrow.coverage.height, wide.coverage.height);
  EXPECT_NEAR(narrow.coverage.width * 2, wide.coverage.width, 2);
}

TEST(Font, SameGlyphSameBytes) {
  Font a(kSansBold);
  Font b(kSansBold);
  EXPECT_EQ(a.render('Q', 27, 16).coverage.pixels, b.render('Q', 27, 16).coverage.pixels);
}

TEST(Font, MissingGlyphAndBadSizeAreInvalid) {
  Font font(kSansBold);
  EXPECT_EQ(error_of([&] { font.render(U'\u4E2D', 20); }), kSansBold.string() + ": font has no glyph for U+4E2D");
  EXPECT_EQ(error_of([&] { font.render('A', 0); }), kSansBold.string() + ": glyph size 0x0 px is not 1..1000");
  EXPECT_EQ(kind_of([&] { font.render('A', 20, 5000); }), ErrorKind::kInvalid);
}

TEST(Font, MovedFontStillRenders) {
  Font a(kSansBold);
  Font b(std::move(a));
  EXPECT_FALSE(b.render('7', 20).coverage.empty());
  Font c("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf");
  c = std::move(b);
  EXPECT_EQ(c.name(), "DejaVu Sans Bold");
  EXPECT_FALSE(c.render('7', 20).coverage.empty());
}

}  // namespace
}  // namespace tinymlops

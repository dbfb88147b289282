#include "plate_ocr/make_data.h"

#include <gtest/gtest.h>
#include <png.h>

#include <sstream>

#include "test_util.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/core/hash.h"
#include "plate_ocr/image.h"
#include "plate_ocr/plate_format.h"
#include "plate_ocr/plate_render.h"
#include "plate_ocr/png.h"

namespace fs = std::filesystem;

namespace tinymlops {
namespace {

using testing::error_of;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> cells;
  std::istringstream in(line);
  for (std::string cell; std::getline(in, cell, ',');) cells.push_back(cell);
  return cells;
}

// SHA-256 over every file's relative path and bytes, in path order.
std::string tree_hash(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) files.push_back(fs::relative(entry.path(), dir));
  std::sort(files.begin(), files.end());
  Sha256Stream hash;
  for (const auto& file : files) {
    const std::string name = file.string(), bytes = read_file(dir / file);
    hash.update(name.data(), name.size());
    hash.update(bytes.data(), bytes.size());
  }
  return hash.finish_hex();
}

PlateSetOptions small_set(const fs::path& out, int plates = 12, std::uint64_t seed = 5) {
  PlateSetOptions options;
  options.out = out;
  options.plates = plates;
  options.seed = seed;
  return options;
}

TEST(MakeData, WritesTheAgreedLayout) {
  testing::TempDir dir;
  std::ostringstream log;
  Progress progress(Progress::Style::kJsonLines, &log);
  const PlateSetSummary summary = make_plate_set(small_set(dir.path() / "set"), &progress);
  EXPECT_EQ(summary.plates, 12);
  EXPECT_EQ(summary.mercosul + summary.old, 12);
  EXPECT_FALSE(summary.replaced);
  EXPECT_NE(log.str().find("{\"event\":\"plates\",\"plates\":12"), std::string::npos) << log.str();

  const auto lines = lines_of(read_file(dir.path() / "set" / "plates.csv"));
  ASSERT_EQ(lines.size(), 13u);
  EXPECT_EQ(lines[0], "file,text,format");
  int mercosul = 0;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto cells = split(lines[i]);
    ASSERT_EQ(cells.size(), 3u) << lines[i];
    char name[32];
    std::snprintf(name, sizeof name, "plates/%06zu.pgm", i - 1);
    EXPECT_EQ(cells[0], name);
    const PlateFormat& format = brazilian_plate_formats()[cells[2] == "mercosul" ? 1 : 0];
    EXPECT_TRUE(cells[2] == "old" || cells[2] == "mercosul") << lines[i];
    EXPECT_TRUE(matches_format(cells[1], format)) << lines[i];
    mercosul += cells[2] == "mercosul" ? 1 : 0;
    const GrayImage image = read_pgm(dir.path() / "set" / cells[0]);
    EXPECT_EQ(image.width, kPlateWidth);
    EXPECT_EQ(image.height, kPlateHeight);
  }
  EXPECT_EQ(mercosul, summary.mercosul);
  // Nothing else next to the set: no partial or replaced leftovers.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

TEST(MakeData, MercosulFractionPicksTheFormats) {
  testing::TempDir dir;
  PlateSetOptions options = small_set(dir.path() / "all-old", 10);
  options.mercosul_fraction = 0;
  EXPECT_EQ(make_plate_set(options, nullptr).old, 10);
  options.out = dir.path() / "all-mercosul";
  options.mercosul_fraction = 1;
  EXPECT_EQ(make_plate_set(options, nullptr).mercosul, 10);
  options.out = dir.path() / "mixed";
  options.plates = 200;
  options.mercosul_fraction = 0.25;
  options.degradation = 0;  // faster
  EXPECT_NEAR(make_plate_set(options, nullptr).mercosul, 50, 25);
}

TEST(MakeData, SameSeedSameBytesOtherSeedOtherBytes) {
  testing::TempDir dir;
  make_plate_set(small_set(dir.path() / "a"), nullptr);
  make_plate_set(small_set(dir.path() / "b"), nullptr);
  make_plate_set(small_set(dir.path() / "c", 12, 6), nullptr);
  EXPECT_EQ(tree_hash(dir.path() / "a"), tree_hash(dir.path() / "b"));
  EXPECT_NE(tree_hash(dir.path() / "a"), tree_hash(dir.path() / "c"));
  // A longer run starts with the same plates: plate i depends only on the seed and i.
  make_plate_set(small_set(dir.path() / "d", 20), nullptr);
  EXPECT_EQ(read_file(dir.path() / "a" / "plates" / "000011.pgm"), read_file(dir.path() / "d" / "plates" / "000011.pgm"));
}

// The same bytes in every build of this platform (Release, the sanitizer
// build's -O1, any -march): FreeType's fixed-point rendering and the integer
// compositing and degradations. The golden hash was taken once on Debian 12
// (FreeType 2.12.1); another FreeType version may legitimately change it.
TEST(MakeData, SameBytesInEveryBuild) {
  testing::TempDir dir;
  make_plate_set(small_set(dir.path() / "set", 12, 2026), nullptr);
  EXPECT_EQ(tree_hash(dir.path() / "set"), "fc688495f50b7dc080f845fe9d104c00f6ba87f88f3a8473707d3ac8257fe648");
}

TEST(MakeData, ReplacesItsOwnSetWholly) {
  testing::TempDir dir;
  const fs::path out = dir.path() / "set";
  make_plate_set(small_set(out, 12), nullptr);
  const PlateSetSummary again = make_plate_set(small_set(out, 5), nullptr);
  EXPECT_TRUE(again.replaced);
  EXPECT_FALSE(fs::exists(out / "plates" / "000011.pgm"));  // no mix of old and new plates
  EXPECT_EQ(lines_of(read_file(out / "plates.csv")).size(), 6u);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

TEST(MakeData, NeverTouchesADirectoryItDidNotMake) {
  testing::TempDir dir;
  const fs::path foreign = dir.path() / "photos";
  fs::create_directories(foreign);
  write_file_atomic(foreign / "holiday.jpg", "precious");
  EXPECT_EQ(error_of([&] { make_plate_set(small_set(foreign), nullptr); }),
            foreign.string() +
                ": exists and is not a plates set (no plates.csv with header \"file,text,format\"): refusing to "
                "replace it; remove it or choose another --out");
  EXPECT_EQ(read_file(foreign / "holiday.jpg"), "precious");

  // Another CSV named plates.csv is not enough, nor is a file.
  write_file_atomic(foreign / "plates.csv", "name,price\n");
  EXPECT_NE(error_of([&] { make_plate_set(small_set(foreign), nullptr); }), "(no error)");
  const fs::path file = dir.path() / "notes.txt";
  write_file_atomic(file, "keep me");
  EXPECT_NE(error_of([&] { make_plate_set(small_set(file), nullptr); }), "(no error)");
  EXPECT_EQ(read_file(file), "keep me");
  EXPECT_FALSE(fs::exists(dir.path() / ".photos.partial"));
}

TEST(MakeData, LeftoversOfAnInterruptedRunAreCleanedOthersRefused) {
  testing::TempDir dir;
  const fs::path partial = dir.path() / ".set.partial";
  fs::create_directories(partial / "plates");
  write_file_atomic(partial / ".make-data-partial", "x");
  write_file_atomic(partial / "plates" / "000000.pgm", "half");
  // An old set left aside by a run stopped between its two renames.
  make_plate_set(small_set(dir.path() / ".set.replaced", 2), nullptr);
  make_plate_set(small_set(dir.path() / "set", 3), nullptr);
  EXPECT_FALSE(fs::exists(partial));
  EXPECT_FALSE(fs::exists(dir.path() / ".set.replaced"));
  EXPECT_TRUE(is_plate_set(dir.path() / "set"));

  // A same-named directory that is not ours is left alone, and nothing is written.
  fs::create_directories(partial);
  write_file_atomic(partial / "mine.txt", "user data");
  EXPECT_EQ(error_of([&] { make_plate_set(small_set(dir.path() / "other", 3), nullptr); }), "(no error)");
  const std::string message = error_of([&] { make_plate_set(small_set(dir.path() / "set", 3), nullptr); });
  EXPECT_EQ(message, partial.string() +
                         ": exists and was not made by `ocr make-data`: refusing to touch it (remove it or choose "
                         "another --out)");
  EXPECT_EQ(read_file(partial / "mine.txt"), "user data");
}

TEST(MakeData, OptionsAreChecked) {
  testing::TempDir dir;
  PlateSetOptions options = small_set(dir.path() / "set");
  options.plates = 0;
  EXPECT_EQ(error_of([&] { make_plate_set(options, nullptr); }), "--plates: 0 is not in 1..1000000");
  options.plates = 3;
  options.mercosul_fraction = 1.5;
  EXPECT_EQ(error_of([&] { make_plate_set(options, nullptr); }), "--mercosul: 1.500000 is not a fraction in 0..1");
  options.mercosul_fraction = 0.5;
  options.degradation = -0.1;
  EXPECT_EQ(error_of([&] { make_plate_set(options, nullptr); }), "--degradation: -0.100000 is not a strength in 0..1");
  options.degradation = 0.5;
  options.out = ".";
  EXPECT_EQ(error_of([&] { make_plate_set(options, nullptr); }),
            "--out: '.' does not name a directory to create (e.g. data/plates)");
  options.out = dir.path() / "set";
  options.fonts = {dir.path() / "missing.ttf"};
  EXPECT_NE(error_of([&] { make_plate_set(options, nullptr); }).find("missing.ttf: font file not found"),
            std::string::npos);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 0);
}

TEST(MakeData, TrailingSlashAndNestedOutputWork) {
  testing::TempDir dir;
  const PlateSetSummary summary = make_plate_set(small_set(dir.path().string() + "/data/plates/", 2), nullptr);
  EXPECT_EQ(summary.dir, dir.path() / "data" / "plates");
  EXPECT_TRUE(is_plate_set(dir.path() / "data" / "plates"));
}

TEST(MakeData, ContactSheetIsAPngOfTheFirstPlates) {
  testing::TempDir dir;
  PlateSetOptions options = small_set(dir.path() / "set", 10);
  options.sheet = dir.path() / "figures" / "sheet.png";
  options.sheet_plates = 6;
  EXPECT_EQ(make_plate_set(options, nullptr).sheet, options.sheet);
  const std::string png = read_file(options.sheet);
  ASSERT_GT(png.size(), 24u);
  EXPECT_EQ(png.substr(0, 8), "\x89PNG\r\n\x1a\n");
  auto be32 = [&](std::size_t at) {
    return (static_cast<unsigned char>(png[at]) << 24) | (static_cast<unsigned char>(png[at + 1]) << 16) |
           (static_cast<unsigned char>(png[at + 2]) << 8) | static_cast<unsigned char>(png[at + 3]);
  };
  // 4 columns x 2 rows of 2x plates, 4 px apart.
  EXPECT_EQ(be32(16), 4 + 4 * (2 * kPlateWidth + 4));
  EXPECT_EQ(be32(20), 4 + 2 * (2 * kPlateHeight + 4));
}

// The sheet's PNG read back by libpng's reader: the same pixels, laid out as documented.
TEST(MakeData, PngSheetsRoundTripAndCheckTheirImages) {
  std::vector<GrayImage> images;
  for (int i = 0; i < 3; ++i) images.emplace_back(5, 2, static_cast<std::uint8_t>(10 * i + 7));
  const GrayImage sheet = contact_sheet(images, 2, 3, 1, 200);
  ASSERT_EQ(sheet.width, 1 + 2 * (15 + 1));
  ASSERT_EQ(sheet.height, 1 + 2 * (6 + 1));
  EXPECT_EQ(sheet.at(0, 0), 200);
  EXPECT_EQ(sheet.at(1, 1), 7);
  EXPECT_EQ(sheet.at(1 + 16 + 14, 1 + 5), 17);
  EXPECT_EQ(sheet.at(1, 1 + 7), 27);
  EXPECT_EQ(sheet.at(1 + 16, 1 + 7), 200);  // no fourth image

  const std::string bytes = encode_png(sheet);
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  ASSERT_TRUE(png_image_begin_read_from_memory(&png, bytes.data(), bytes.size()));
  png.format = PNG_FORMAT_GRAY;
  std::vector<std::uint8_t> pixels(PNG_IMAGE_SIZE(png));
  ASSERT_TRUE(png_image_finish_read(&png, nullptr, pixels.data(), 0, nullptr));
  EXPECT_EQ(static_cast<int>(png.width), sheet.width);
  EXPECT_EQ(pixels, sheet.pixels);

  EXPECT_EQ(error_of([] { contact_sheet({GrayImage(2, 2), GrayImage(3, 2)}, 2); }),
            "contact sheet: images differ in size (3x2 vs 2x2)");
  EXPECT_EQ(error_of([] { contact_sheet({}, 2); }), "contact sheet: no images");
  EXPECT_EQ(error_of([] { encode_png(GrayImage()); }), "png: cannot encode an empty image");
}

}  // namespace
}  // namespace tinymlops

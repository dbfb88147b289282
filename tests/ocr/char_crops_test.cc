#include "plate_ocr/char_crops.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "test_util.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/data/csv.h"

namespace tinymlops {
namespace testing {

GrayImage clean_synthetic_plate();  // segment_test.cc

namespace {

// A plates set in `dir`: two good plates (old and Mercosul texts) and a blank one.
void write_plates_set(const std::filesystem::path& dir, const std::string& csv) {
  std::filesystem::create_directories(dir / "plates");
  write_pgm(dir / "plates" / "good1.pgm", clean_synthetic_plate());
  write_pgm(dir / "plates" / "good2.pgm", clean_synthetic_plate());
  write_pgm(dir / "plates" / "blank.pgm", GrayImage(130, 40, 210));
  write_file_atomic(dir / "plates.csv", csv);
}

const char kGoodCsv[] =
    "file,text,format\n"
    "plates/good1.pgm,ABC1234,old\n"
    "plates/blank.pgm,XYZ9876,old\n"
    "plates/good2.pgm,BRA2E19,mercosul\n";

TEST(CharCrops, WritesSevenRowsPerSegmentedPlateAndCountsFailures) {
  TempDir dir;
  write_plates_set(dir.path() / "set", kGoodCsv);
  const auto out = dir.path() / "chars.csv";
  const CharCropsReport report = write_char_crops(dir.path() / "set", out, CharCropsOptions{}, nullptr);
  EXPECT_EQ(report.plates, 3);
  EXPECT_EQ(report.segmented, 2);
  EXPECT_EQ(report.failures, 1);
  EXPECT_EQ(report.crops, 14);
  EXPECT_EQ(report.digit_rows, 0);
  ASSERT_EQ(report.failure_examples.size(), 1u);
  EXPECT_EQ(report.failure_examples[0], "plates/blank.pgm: plate is blank: no contrast (gray levels 210..210)");

  const CsvTable table = read_csv(out);
  ASSERT_EQ(table.header.size(), 12u * 16u + 1u);
  EXPECT_EQ(table.header.front(), "p0");
  EXPECT_EQ(table.header[191], "p191");
  EXPECT_EQ(table.header.back(), "char");
  ASSERT_EQ(table.rows.size(), 14u);
  std::string chars;
  for (const auto& row : table.rows) chars += row.back();
  EXPECT_EQ(chars, "ABC1234BRA2E19");
  // The rows are the segmenter's crops, pixel for pixel.
  const Segmentation cut = segment_plate(clean_synthetic_plate(), SegmentOptions{});
  for (std::size_t i = 0; i < 7; ++i) {
    for (std::size_t p = 0; p < 192; ++p) ASSERT_EQ(table.rows[i][p], std::to_string(cut.crops[i].pixels[p])) << i << " " << p;
  }
}

TEST(CharCrops, AddsTheBundledHandwrittenDigitsScaledLikePlateCharacters) {
  TempDir dir;
  write_plates_set(dir.path() / "set", kGoodCsv);
  CharCropsOptions options;
  options.digits_csv = source_dir() / "examples/data/digits.csv";
  options.segment.crop_width = 10;
  options.segment.crop_height = 14;
  const CharCropsReport report = write_char_crops(dir.path() / "set", dir.path() / "chars.csv", options, nullptr);
  EXPECT_EQ(report.digit_rows, 1797);
  const CsvTable table = read_csv(dir.path() / "chars.csv");
  ASSERT_EQ(table.rows.size(), 14u + 1797u);
  ASSERT_EQ(table.header.size(), 141u);
  // The first digit of digits.csv is a 0 (ink box 6x8, fitted to 10x13): ink reaches
  // the crop's top and bottom rows, its hole in the middle stays dark, labels are the digits.
  const auto& zero = table.rows[14];
  EXPECT_EQ(zero.back(), "0");
  int top_ink = 0, bottom_ink = 0;
  for (int x = 0; x < 10; ++x) {
    top_ink = std::max(top_ink, std::stoi(zero[static_cast<std::size_t>(x)]));
    bottom_ink = std::max(bottom_ink, std::stoi(zero[static_cast<std::size_t>(12 * 10 + x)]));
  }
  EXPECT_GT(top_ink, 100);
  EXPECT_GT(bottom_ink, 100);
  EXPECT_LT(std::stoi(zero[7 * 10 + 5]), 60);
  std::set<std::string> labels;
  for (std::size_t r = 14; r < table.rows.size(); ++r) labels.insert(table.rows[r].back());
  EXPECT_EQ(labels.size(), 10u);
}

TEST(CharCrops, BadRowsNamePlatesCsvAndTheLineAndLeaveTheOutputAlone) {
  TempDir dir;
  const auto set = dir.path() / "set";
  const auto out = dir.path() / "chars.csv";
  write_file_atomic(out, "keep me");
  const std::string where = (set / "plates.csv").string();
  write_plates_set(set, kGoodCsv);
  auto error_for = [&](const std::string& csv) {
    write_file_atomic(set / "plates.csv", csv);
    return error_of([&] { write_char_crops(set, out, CharCropsOptions{}, nullptr); });
  };
  EXPECT_EQ(error_for("file,text,format\nplates/good1.pgm,ABC1234,old\nplates/good2.pgm,ABC1D23,old\n"),
            where + ":3: text 'ABC1D23' is not a old plate (LLLNNNN: L a letter A-Z, N a digit)");
  EXPECT_EQ(error_for("file,text,format\nplates/good1.pgm,ABC1234,euro\n"),
            where + ":2: unknown plate format 'euro' (expected old or mercosul)");
  EXPECT_EQ(error_for("file,text,format\n,ABC1234,old\n"), where + ":2: empty file name");
  EXPECT_EQ(error_for("file,text\nplates/good1.pgm,ABC1234\n"),
            where + ":1: no column 'format' (a plates.csv has the header file,text,format)");
  EXPECT_EQ(error_for("file,text,format\n"), where + ": no plates (only a header)");
  EXPECT_EQ(error_for("file,text,format\nplates/blank.pgm,ABC1234,old\n"),
            where + ": none of the 1 plates could be segmented (first: plates/blank.pgm: plate is blank: no contrast (gray levels 210..210))");
  const std::string missing = error_for("file,text,format\nplates/good1.pgm,ABC1234,old\nplates/nope.pgm,ABC1234,old\n");
  EXPECT_EQ(missing.rfind(where + ":3: ", 0), 0u) << missing;
  EXPECT_NE(missing.find("nope.pgm"), std::string::npos) << missing;
  write_file_atomic(set / "plates" / "text.pgm", "hello");
  EXPECT_EQ(error_for("file,text,format\nplates/text.pgm,ABC1234,old\n"),
            where + ":2: " + (set / "plates" / "text.pgm").string() + ": not a binary PGM image (expected magic P5)");
  EXPECT_EQ(read_file(out), "keep me");
}

TEST(CharCrops, BadDigitsRowsNameTheirPlace) {
  TempDir dir;
  write_plates_set(dir.path() / "set", kGoodCsv);
  CharCropsOptions options;
  options.digits_csv = dir.write("digits.csv", "p0,p1,p2,p3,digit\n0,16,16,0,1\n0,17,3,0,2\n");
  EXPECT_EQ(error_of([&] { write_char_crops(dir.path() / "set", dir.path() / "c.csv", options, nullptr); }),
            options.digits_csv.string() + ":3:2: pixel '17' is not a number 0..16");
  options.digits_csv = dir.write("digits.csv", "p0,p1,p2,p3,digit\n0,16,16,0,A\n");
  EXPECT_EQ(error_of([&] { write_char_crops(dir.path() / "set", dir.path() / "c.csv", options, nullptr); }),
            options.digits_csv.string() + ":2:5: label 'A' is not a digit 0..9");
  options.digits_label = "label";
  EXPECT_EQ(error_of([&] { write_char_crops(dir.path() / "set", dir.path() / "c.csv", options, nullptr); }),
            options.digits_csv.string() + ":1: no label column 'label' (see --digits-label)");
  options.digits_label = "digit";
  options.digits_csv = dir.write("digits.csv", "p0,p1,p2,digit\n0,16,16,1\n");
  EXPECT_EQ(error_of([&] { write_char_crops(dir.path() / "set", dir.path() / "c.csv", options, nullptr); }),
            options.digits_csv.string() + ":1: 3 pixel columns do not make a square image (the digits set is 8x8)");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "c.csv"));
}

TEST(CharCrops, ReportsProgress) {
  TempDir dir;
  write_plates_set(dir.path() / "set", kGoodCsv);
  std::ostringstream log;
  Progress progress(Progress::Style::kJsonLines, &log);
  write_char_crops(dir.path() / "set", dir.path() / "chars.csv", CharCropsOptions{}, &progress);
  EXPECT_NE(log.str().find("\"event\":\"crops\""), std::string::npos) << log.str();
  EXPECT_NE(log.str().find("\"failures\":1"), std::string::npos) << log.str();
}

}  // namespace
}  // namespace testing
}  // namespace tinymlops

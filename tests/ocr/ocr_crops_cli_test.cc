// `tinymlops ocr crops` and `tinymlops ocr segment`, run as the real binary.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "test_util.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/data/csv.h"
#include "plate_ocr/image.h"

namespace tinymlops {
namespace testing {

GrayImage clean_synthetic_plate();  // segment_test.cc

namespace {

void expect_one_line_error(const CommandResult& r, int exit_code, const std::string& fragment) {
  EXPECT_EQ(r.exit_code, exit_code) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(fragment), std::string::npos) << r.err;
}

void write_plates_set(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir / "plates");
  write_pgm(dir / "plates" / "000001.pgm", clean_synthetic_plate());
  write_pgm(dir / "plates" / "000002.pgm", GrayImage(130, 40, 90));
  write_file_atomic(dir / "plates.csv", "file,text,format\nplates/000001.pgm,ABC1D23,mercosul\nplates/000002.pgm,ABC1234,old\n");
}

TEST(OcrCropsCli, WritesTheCropsCsvAndReportsAsJson) {
  TempDir dir;
  write_plates_set(dir.path() / "set");
  const std::string out = (dir.path() / "chars.csv").string();
  const CommandResult r = run_cli({"ocr", "crops", "--plates", (dir.path() / "set").string(), "--out", out, "--digits",
                                   (source_dir() / "examples/data/digits.csv").string(), "--digits-label", "digit",
                                   "--json", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["plates"], 2);
  EXPECT_EQ(report["segmented"], 1);
  EXPECT_EQ(report["failures"], 1);
  EXPECT_EQ(report["crops"], 7);
  EXPECT_EQ(report["digit_rows"], 1797);
  EXPECT_EQ(report["failure_examples"][0], "plates/000002.pgm: plate is blank: no contrast (gray levels 90..90)");
  const CsvTable table = read_csv(out);
  EXPECT_EQ(table.header.size(), 193u);
  ASSERT_EQ(table.rows.size(), 7u + 1797u);
  EXPECT_EQ(table.rows[3].back(), "1");
  EXPECT_EQ(table.rows[4].back(), "D");

  const CommandResult text = run_cli({"ocr", "crops", "--plates", (dir.path() / "set").string(), "--out", out,
                                      "--width", "8", "--height", "10", "--quiet"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("segmented 1 of 2 plates (1 failed, 50.0%): 7 character crops"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("wrote " + out + " (7 rows of 8x10 crops)"), std::string::npos) << text.out;
  EXPECT_EQ(read_csv(out).header.size(), 81u);
}

TEST(OcrCropsCli, BadPlatesCsvIsAOneLineErrorNamingTheLine) {
  TempDir dir;
  write_plates_set(dir.path() / "set");
  write_file_atomic(dir.path() / "set" / "plates.csv", "file,text,format\nplates/000001.pgm,ABC12,old\n");
  expect_one_line_error(run_cli({"ocr", "crops", "--plates", (dir.path() / "set").string(), "--out",
                                 (dir.path() / "c.csv").string(), "--quiet"}),
                        1, "plates.csv:2: text 'ABC12' is not a old plate");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "c.csv"));
  expect_one_line_error(run_cli({"ocr", "crops", "--out", "x.csv"}), 2, "--plates");
}

TEST(OcrCropsCli, SegmentWritesCropsAndBoxesOrSaysWhyItFailed) {
  TempDir dir;
  write_plates_set(dir.path() / "set");
  const std::string good = (dir.path() / "set" / "plates" / "000001.pgm").string();
  const std::string seg = (dir.path() / "seg").string();
  const CommandResult r = run_cli({"ocr", "segment", good, "--out", seg});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("7 characters (skew 0.0 degrees)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  1: x=10 y=10 w=12 h=22"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  4: x=63 y=10 w=3 h=22"), std::string::npos) << r.out;
  for (int i = 1; i <= 7; ++i) {
    const GrayImage crop = read_pgm(dir.path() / "seg" / ("char" + std::to_string(i) + ".pgm"));
    EXPECT_EQ(crop.width, 12);
    EXPECT_EQ(crop.height, 16);
  }
  const GrayImage boxes = read_pgm(dir.path() / "seg" / "boxes.pgm");
  EXPECT_EQ(boxes.at(63, 20), 0);  // the bar's box edge drawn over its ink
  EXPECT_EQ(boxes.at(21, 20), 0);  // the first box's right edge, drawn on the paper
  EXPECT_EQ(clean_synthetic_plate().at(21, 20), 215);

  const std::string blank = (dir.path() / "set" / "plates" / "000002.pgm").string();
  expect_one_line_error(run_cli({"ocr", "segment", blank}), 1,
                        blank + ": segmentation failed: plate is blank: no contrast (gray levels 90..90)");
}

}  // namespace
}  // namespace testing
}  // namespace tinymlops

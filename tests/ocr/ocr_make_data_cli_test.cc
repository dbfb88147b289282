// `tinymlops ocr make-data` end to end: the real binary.
#include <gtest/gtest.h>

#include "test_util.h"
#include "tinymlops/core/file_io.h"

namespace fs = std::filesystem;

namespace tinymlops {
namespace {

using testing::run_cli;

TEST(OcrMakeDataCli, WritesASeededSetWithProgressAndASheet) {
  testing::TempDir dir;
  const fs::path out = dir.path() / "plates";
  const fs::path sheet = dir.path() / "sheet.png";
  const auto made = run_cli({"ocr", "make-data", "--out", out.string(), "--plates", "8", "--seed", "3", "--mercosul",
                             "0.5", "--degradation", "0.7", "--sheet", sheet.string(), "--log-json"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_NE(made.out.find("wrote 8 plates ("), std::string::npos) << made.out;
  EXPECT_NE(made.out.find("contact sheet " + sheet.string()), std::string::npos) << made.out;
  EXPECT_NE(made.err.find("{\"event\":\"plates\",\"plates\":8"), std::string::npos) << made.err;
  EXPECT_TRUE(fs::exists(out / "plates" / "000007.pgm"));
  EXPECT_EQ(read_file(sheet).substr(1, 3), "PNG");

  // Same options, same bytes; run again over its own set: replaced.
  const fs::path again = dir.path() / "again";
  ASSERT_EQ(run_cli({"ocr", "make-data", "--out", again.string(), "--plates", "8", "--seed", "3", "--degradation",
                     "0.7", "-q"})
                .exit_code,
            0);
  EXPECT_EQ(read_file(out / "plates.csv"), read_file(again / "plates.csv"));
  EXPECT_EQ(read_file(out / "plates" / "000005.pgm"), read_file(again / "plates" / "000005.pgm"));
  const auto replaced = run_cli({"ocr", "make-data", "--out", again.string(), "--plates", "2", "-q"});
  ASSERT_EQ(replaced.exit_code, 0) << replaced.err;
  EXPECT_NE(replaced.out.find("replacing the earlier set"), std::string::npos) << replaced.out;
  EXPECT_FALSE(fs::exists(again / "plates" / "000005.pgm"));
}

TEST(OcrMakeDataCli, FontsAndDashAreOptions) {
  testing::TempDir dir;
  const auto made = run_cli({"ocr", "make-data", "--out", (dir.path() / "p").string(), "--plates", "3", "--font",
                             "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf", "--old-dash", "--degradation",
                             "0", "-q"});
  EXPECT_EQ(made.exit_code, 0) << made.err;
  const auto missing = run_cli({"ocr", "make-data", "--out", (dir.path() / "q").string(), "--font",
                                (dir.path() / "none.ttf").string(), "-q"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "tinymlops: " + (dir.path() / "none.ttf").string() +
                             ": font file not found (the default fonts come from Debian's fonts-dejavu-core and "
                             "fonts-dejavu-extra: run `make setup`)\n");
  EXPECT_FALSE(fs::exists(dir.path() / "q"));
}

TEST(OcrMakeDataCli, RefusesAForeignDirectoryAndBadOptions) {
  testing::TempDir dir;
  dir.write("keep.txt", "mine");
  const auto refused = run_cli({"ocr", "make-data", "--out", dir.path().string(), "--plates", "2", "-q"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("is not a plates set"), std::string::npos) << refused.err;
  EXPECT_EQ(std::count(refused.err.begin(), refused.err.end(), '\n'), 1);
  EXPECT_EQ(read_file(dir.path() / "keep.txt"), "mine");

  const auto bad = run_cli({"ocr", "make-data", "--out", (dir.path() / "x").string(), "--plates", "0"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err, "tinymlops: --plates: 0 is not in 1..1000000\n");
  EXPECT_EQ(run_cli({"ocr", "make-data", "--plates", "3"}).exit_code, 2);  // --out is required
}

TEST(OcrMakeDataCli, HelpExplainsTheOptions) {
  const auto help = run_cli({"ocr", "make-data", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* word : {"--out", "--plates", "--seed", "--mercosul", "--degradation", "--font", "--sheet",
                           "plates.csv", "tinymlops ocr make-data --out"}) {
    EXPECT_NE(help.out.find(word), std::string::npos) << word;
  }
}

}  // namespace
}  // namespace tinymlops

// The plates-set reader, PlateReader's checks of the model, and the benchmark's
// files on a small set (the example test reads 400 plates with a trained model).
#include "plate_ocr/plate_reader.h"

#include <gtest/gtest.h>

#include "test_util.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "plate_ocr/plate_benchmark.h"
#include "plate_ocr/plate_set.h"

namespace tinymlops {
namespace {

namespace fs = std::filesystem;
using testing::error_of;
using testing::TempDir;

TEST(PlateSet, ReadsEntriesAndNamesTheLineOfABadOne) {
  TempDir dir;
  dir.write("plates.csv", "file,text,format\nplates/a.pgm,ABC1234,old\nplates/b.pgm,ABC1D23,mercosul\n");
  const std::vector<PlateSetEntry> set = read_plate_set(dir.path());
  ASSERT_EQ(set.size(), 2u);
  EXPECT_EQ(set[1].image, dir.path() / "plates/b.pgm");
  EXPECT_EQ(set[1].text, "ABC1D23");
}

TEST(PlateSet, ErrorsNameTheFileAndLine) {
  TempDir dir;
  const std::string csv = (dir.path() / "plates.csv").string();
  dir.write("plates.csv", "file,text,format\nplates/a.pgm,ABC1234,old\nplates/b.pgm,ABC1234,mercosul\n");
  EXPECT_EQ(error_of([&] { read_plate_set(dir.path()); }),
            csv + ":3: text 'ABC1234' is not a mercosul plate (LLLNLNN: L a letter A-Z, N a digit)");
  dir.write("plates.csv", "file,text,format\nplates/a.pgm,ABC1234,square\n");
  EXPECT_EQ(error_of([&] { read_plate_set(dir.path()); }),
            csv + ":2: unknown plate format 'square' (expected old or mercosul)");
  dir.write("plates.csv", "file,text\nplates/a.pgm,ABC1234\n");
  EXPECT_EQ(error_of([&] { read_plate_set(dir.path()); }),
            csv + ":1: no column 'format' (a plates.csv has the header file,text,format)");
  dir.write("plates.csv", "file,text,format\n");
  EXPECT_EQ(error_of([&] { read_plate_set(dir.path()); }), csv + ": no plates (only a header)");
}

TEST(PlateSet, AMissingImageIsNamedByItsLine) {
  TempDir dir;
  dir.write("plates.csv", "file,text,format\nplates/gone.pgm,ABC1234,old\n");
  const std::string message = error_of([&] { read_plate_image(read_plate_set(dir.path())[0]); });
  EXPECT_EQ(message.rfind((dir.path() / "plates.csv").string() + ":2: ", 0), 0u) << message;
  EXPECT_NE(message.find("gone.pgm"), std::string::npos) << message;
}

TEST(PlateReader, RefusesAModelThatIsNotACharacterClassifier) {
  TempDir dir;
  const fs::path model = dir.path() / "iris.tmlm";
  testing::run_cli_ok({"train", "--data", (testing::source_dir() / "examples/data/iris.csv").string(), "--label",
                       "species", "--hidden", "4", "--epochs", "1", "--out", model.string(), "-q"});
  EXPECT_EQ(error_of([&] { PlateReader reader(model, brazilian_plate_rules()); }),
            model.string() + ": not a character classifier: expected a classification model with input shape HxWx1, got [4]");
}

TEST(PlateReader, RefusesClassesThatAreNotPlateCharacters) {
  TempDir dir;
  std::string csv;
  for (int i = 0; i < 4; ++i) csv += (i ? "," : "") + std::string("p") + std::to_string(i);
  csv += ",char\n";
  for (int r = 0; r < 20; ++r) csv += std::to_string(r % 3) + ",1,2," + std::to_string(r) + "," + (r % 2 ? "A" : "a") + "\n";
  const fs::path data = dir.write("chars.csv", csv);
  const fs::path model = dir.path() / "m.tmlm";
  testing::run_cli_ok({"train", "--data", data.string(), "--label", "char", "--input-shape", "2x2x1", "--hidden", "4",
                       "--epochs", "1", "--out", model.string(), "-q"});
  EXPECT_EQ(error_of([&] { PlateReader reader(model, brazilian_plate_rules()); }),
            model.string() + ": class \"a\" is not a plate character (0-9, A-Z)");
}

}  // namespace
}  // namespace tinymlops

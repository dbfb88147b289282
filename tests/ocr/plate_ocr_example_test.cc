// examples/plate-ocr as docs/plate-ocr.md walks through it, with the real binary
// on PATH: init, add, repro (make-data -> crops -> train -> quantize -> export-onnx
// -> benchmark, verify -> codegen), the gate refusing a weak model and passing the
// trained one, and exp run -S rerunning only the stages a parameter reaches.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_util.h"
#include "tinymlops/core/file_io.h"

namespace tinymlops {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
constexpr auto run = testing::run_cli_ok;
using testing::ScopedCwd;
using testing::ScopedPath;
using testing::TempDir;

nlohmann::json json_file(const fs::path& path) { return nlohmann::json::parse(read_file(path)); }

TEST(PlateOcrExample, FromRenderedPlatesToAGatedBitExactInt8Model) {
  TempDir project;
  fs::copy(testing::source_dir() / "examples/plate-ocr", project.path(), fs::copy_options::recursive);
  fs::create_directories(project.path() / "data");
  fs::copy_file(testing::source_dir() / "examples/data/digits.csv", project.path() / "data/digits.csv");
  ScopedCwd cwd(project.path());
  ScopedPath path;

  run({"init"});
  run({"add", "data/digits.csv"});
  CommandResult first = run({"repro"});
  ASSERT_EQ(first.exit_code, 0);
  EXPECT_NE(first.out.find("8 ran"), std::string::npos) << first.out;

  // The must-show: int8 plates read at acc@0.5 >= 0.90, the rules' part shown apart,
  // the float reference beside it, and the int8 model bit-exact on the Cortex-M4.
  const nlohmann::json plates = json_file("metrics/plates.json");
  EXPECT_EQ(plates["variant"], "int8");
  EXPECT_GE(plates["acc@0.5"].get<double>(), 0.90) << plates.dump(2);
  EXPECT_GE(plates["acc@0.5"].get<double>(), plates["without_heuristics"]["acc@0.5"].get<double>());
  EXPECT_EQ(plates["reference"]["variant"], "float32");
  const nlohmann::json device = json_file("metrics/device.json");
  EXPECT_EQ(device["target"], "cortex-m4");
  EXPECT_EQ(device["integer_mismatched_rows"], 0);
  EXPECT_TRUE(fs::exists("models/ocr-int8.onnx"));
  EXPECT_TRUE(fs::exists("firmware/plate_ocr/plate_ocr.c"));
  EXPECT_NE(read_file("plots/plate_accuracy.csv").find("threshold,int8,int8_without_heuristics,reference_float32"),
            std::string::npos);

  // A one-epoch model reruns train and what follows, not the data stages, and
  // the gate refuses it by name.
  CommandResult weak = run({"exp", "run", "-S", "train.epochs=1", "--name", "weak"});
  EXPECT_NE(weak.out.find("Stage 'make-data' is up to date"), std::string::npos) << weak.out;
  EXPECT_NE(weak.out.find("Stage 'crops' is up to date"), std::string::npos) << weak.out;
  EXPECT_NE(weak.out.find("Running stage 'train'"), std::string::npos) << weak.out;
  run({"model", "register", "plate-ocr", "models/ocr-int8.tdm", "--from-exp", "weak"});
  CommandResult refused = testing::run_cli({"model", "promote", "plate-ocr", "1", "--to", "production"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("gate \"acc@0.5 >= 0.90\" failed"), std::string::npos) << refused.err;

  // The parameters of the first run again: restored from the run cache, promoted.
  CommandResult base = run({"exp", "run", "-S", "train.epochs=15", "--name", "base"});
  EXPECT_NE(base.out.find("Stage 'train' restored from run cache"), std::string::npos) << base.out;
  run({"model", "register", "plate-ocr", "models/ocr-int8.tdm", "--from-exp", "base"});
  CommandResult promoted = run({"model", "promote", "plate-ocr", "2", "--to", "production"});
  EXPECT_NE(promoted.out.find("promoted plate-ocr@2 to production"), std::string::npos) << promoted.out;
}

}  // namespace
}  // namespace tinymlops

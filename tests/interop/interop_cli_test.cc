// The must-show path with the real `tinymlops` binary: a PyTorch MLP, trained
// and exported by torch.onnx.export, is imported, quantized to int8 and
// verified bit-exact on an emulated Cortex-M4; and export writes ONNX.
#include <gtest/gtest.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include "python_models.h"

namespace tinymlops {
namespace {

using testing::run_cli;

int count_lines(const std::string& text) { return static_cast<int>(std::count(text.begin(), text.end(), '\n')); }

TEST(InteropCli, PyTorchMlpImportQuantizeVerifyOnCortexM4) {
  testing::TempDir dir;
  bool skip = false;
  const std::string problem = testing::make_python_models("cli", dir.path(), &skip);
  if (skip) GTEST_SKIP() << problem;
  ASSERT_EQ(problem, "");
  const std::string onnx_file = (dir.path() / "sensor.onnx").string(), csv = (dir.path() / "sensor.csv").string();
  const std::string model = (dir.path() / "sensor.tmlm").string(), int8 = (dir.path() / "sensor.tdm").string();

  auto imported = run_cli({"import", onnx_file, "--out", model, "--features", "a,b,c,d", "--label", "kind",
                           "--classes", "low,mid,high"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_NE(imported.out.find("input 4, output 3"), std::string::npos) << imported.out;
  EXPECT_NE(imported.out.find("normalization standard"), std::string::npos) << imported.out;  // Sub/Div in the graph

  // The imported model scores what PyTorch scored on the same rows.
  auto evaluated = run_cli({"evaluate", model, "--data", csv, "--json"});
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.err;
  const double torch_accuracy = std::stod(read_file(dir.path() / "sensor_accuracy.txt"));
  EXPECT_NEAR(nlohmann::json::parse(evaluated.out).at("accuracy").get<double>(), torch_accuracy, 1e-6);  // PyTorch's mean is float32

  auto quantized = run_cli({"quantize", model, "--data", csv, "--out", int8, "-q"});
  ASSERT_EQ(quantized.exit_code, 0) << quantized.err;

  auto verified = run_cli({"verify", int8, "--data", csv, "--target", "cortex-m4", "--rows", "40", "--json", "-q"});
  ASSERT_EQ(verified.exit_code, 0) << verified.err << verified.out;
  const auto report = nlohmann::json::parse(verified.out);
  EXPECT_EQ(report.at("target"), "cortex-m4");
  EXPECT_EQ(report.at("variant"), "int8");
  EXPECT_EQ(report.at("rows"), 40);
  EXPECT_EQ(report.at("integer_bits"), 8);
  EXPECT_EQ(report.at("integer_mismatched_rows"), 0);  // bit for bit on the emulated board
  EXPECT_EQ(report.at("float_identical_rows"), 40);
  EXPECT_EQ(report.at("passed"), true);

  // And back out: the quantized model as QDQ ONNX that the checker accepts.
  const std::string exported = (dir.path() / "sensor-int8.onnx").string();
  auto out = run_cli({"export", int8, "--format", "onnx", "--out", exported});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  onnx::ModelProto proto;
  ASSERT_TRUE(proto.ParseFromString(read_file(exported)));
  EXPECT_NO_THROW(onnx::checker::check_model(proto));
}

TEST(InteropCli, ErrorsAreOneLine) {
  testing::TempDir dir;
  auto missing = run_cli({"import", (dir.path() / "nope.onnx").string(), "--out", (dir.path() / "m.tmlm").string()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(count_lines(missing.err), 1) << missing.err;
  EXPECT_NE(missing.err.find("nope.onnx"), std::string::npos) << missing.err;
  auto unknown = run_cli({"import", dir.write("m.pt", "x").string(), "--out", (dir.path() / "m.tmlm").string()});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.err;
  EXPECT_NE(unknown.err.find("unknown model format '.pt'"), std::string::npos) << unknown.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "m.tmlm"));
}

}  // namespace
}  // namespace tinymlops

// `tinymlops quantize` end to end, and evaluate/predict/inspect on its output.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_util.h"
#include "tinymlops/core/file_io.h"

namespace tinymlops {
namespace {

using testing::run_cli;
using testing::TempDir;

std::string digits() { return (testing::source_dir() / "examples/data/digits.csv").string(); }

class QuantizeCli : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = (dir_.path() / "d.tmlm").string();
    auto r = run_cli({"quickstart", "--out", model_, "-q", "--data", digits()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  TempDir dir_;
  std::string model_;
};

TEST_F(QuantizeCli, Int8IsFourTimesSmallerLosesLittleAndIsDeterministic) {
  const std::string a = (dir_.path() / "a.tdm").string(), b = (dir_.path() / "b.tdm").string();
  auto r = run_cli({"quantize", model_, "--data", digits(), "--label", "digit", "--out", a, "--json", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto report = nlohmann::json::parse(r.out);
  EXPECT_GE(report["weight_ratio"].get<double>(), 3.9);
  EXPECT_LE(report["drop"].get<double>(), 0.5);
  EXPECT_EQ(report["eval_rows"], 359);  // the model's own test rows
  EXPECT_EQ(report["layers"].size(), 4u);
  ASSERT_EQ(run_cli({"quantize", model_, "--data", digits(), "--out", b, "-q"}).exit_code, 0);
  EXPECT_EQ(read_file(a), read_file(b));

  auto evaluate = run_cli({"evaluate", a, "--data", digits(), "--json"});
  ASSERT_EQ(evaluate.exit_code, 0) << evaluate.err;
  EXPECT_GT(nlohmann::json::parse(evaluate.out)["accuracy"].get<double>(), 0.95);
  auto inspect = run_cli({"inspect", a, "--json"});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  auto info = nlohmann::json::parse(inspect.out);
  EXPECT_EQ(info["variant"], "int8");
  EXPECT_EQ(info["weight_bytes"], report["weight_bytes_after"]);
  const std::string predictions = (dir_.path() / "p.csv").string();
  auto predict = run_cli({"predict", a, "--data", digits(), "--out", predictions});
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  EXPECT_EQ(read_file(predictions).substr(0, 22), "line,class,confidence\n");
}

TEST_F(QuantizeCli, BadRequestsGetOneLineErrors) {
  const std::string out = (dir_.path() / "q.tdm").string();
  struct Case {
    std::vector<std::string> extra;
    int exit_code;
    std::string fragment;
  };
  const std::vector<Case> cases = {
      {{"--bits", "3"}, 2, "--bits: 3 bits is not supported"},
      {{"--method", "magic"}, 2, "--method"},
      {{"--calibration", "entropy"}, 2, "--calibration"},
      {{"--label", "species"}, 2, "'digit', not 'species'"},
      {{"--per-channel", "--per-tensor"}, 2, "--per-tensor"},
      {{"--calibration-samples", "0"}, 2, "--calibration-samples"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"quantize", model_, "--data", digits(), "--out", out, "-q"};
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.fragment << ": " << r.err;
    EXPECT_NE(r.err.find(c.fragment), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  // Calibration data of the wrong width: a feature column is missing.
  std::string text = read_file(digits());
  std::string narrow;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    narrow += text.substr(text.find(',', start) + 1, end - text.find(',', start));
    start = end + 1;
  }
  auto csv = dir_.write("narrow.csv", narrow);
  auto r = run_cli({"quantize", model_, "--data", csv.string(), "--out", out, "-q"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("p0"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace tinymlops

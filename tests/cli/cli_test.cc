// End-to-end tests of the `tinymlops` binary: exit codes, one-line errors,
// and the train -> evaluate -> predict -> inspect flow on bundled data.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "cli_expect.h"
#include "test_util.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/core/version.h"

namespace tinymlops {
namespace {

using testing::count_lines;
using testing::expect_one_line_error;
using testing::run_cli;
using testing::TempDir;

std::string example(const std::string& name) { return (testing::source_dir() / "examples/data" / name).string(); }


// An error is exactly one line on stderr, starting with "tinymlops: ".

TEST(Cli, HelpEverywhereAndUsageErrorsExitTwo) {
  for (const char* command : {"train", "evaluate", "predict", "inspect", "quickstart"}) {
    auto r = run_cli({command, "--help"});
    EXPECT_EQ(r.exit_code, 0) << command;
    EXPECT_NE(r.out.find("--"), std::string::npos) << command;
  }
  EXPECT_EQ(run_cli({"--help"}).exit_code, 0);
  EXPECT_EQ(run_cli({}).exit_code, 2);
  expect_one_line_error(run_cli({"train", "--bogus"}), 2, "--bogus");
  expect_one_line_error(run_cli({"evaluate"}), 2, "model");
  expect_one_line_error(run_cli({"train", "--data", example("iris.csv")}), 2, "--label");
  expect_one_line_error(run_cli({"train", "--data", example("iris.csv"), "--label", "species", "--optimizer", "adamm"}),
                        1, "--optimizer");
}

TEST(Cli, MalformedCsvGivesOneLineNamingFileAndLine) {
  TempDir dir;
  auto csv = dir.write("bad.csv", "a,b,y\n1,2,x\n3,oops,y\n");
  TempDir out;
  auto r = run_cli({"train", "--data", csv.string(), "--label", "y", "--out", (out.path() / "m.tmlm").string()});
  expect_one_line_error(r, 1, csv.string() + ":3:2");
  EXPECT_FALSE(std::filesystem::exists(out.path() / "m.tmlm"));
  EXPECT_TRUE(std::filesystem::is_empty(out.path()));
}

TEST(Cli, FailedTrainingKeepsTheExistingModelFile) {
  TempDir dir;
  auto model = dir.write("m.tmlm", "the user's earlier model");
  auto csv = dir.write("bad.csv", "a,y\n1,x\n,y\n");
  auto r = run_cli({"train", "--data", csv.string(), "--label", "y", "--out", model.string()});
  expect_one_line_error(r, 1, csv.string() + ":3:1");
  EXPECT_EQ(read_file(model), "the user's earlier model");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 2);
}

TEST(Cli, DropBadRowsReportsHowManyInTrainEvaluateAndPredict) {
  TempDir dir;
  std::string text = read_file(example("iris.csv"));
  std::string csv = text.substr(0, text.find('\n') + 1) + "5.1,,1.4,0.2,setosa\n6.0,2.2,NaN,1.5,versicolor\n" +
                    text.substr(text.find('\n') + 1);
  auto data = dir.write("holes.csv", csv).string();
  const std::string model = (dir.path() / "m.tmlm").string();
  expect_one_line_error(run_cli({"train", "--data", data, "--label", "species", "--out", model}), 1,
                        data + ":2:2");
  auto train = run_cli({"train", "--data", data, "--label", "species", "--hidden", "8", "--epochs", "5",
                        "--drop-bad-rows", "--out", model, "--json", "-q"});
  ASSERT_EQ(train.exit_code, 0) << train.err;
  EXPECT_EQ(nlohmann::json::parse(train.out)["dropped_rows"], 2);
  auto evaluate = run_cli({"evaluate", model, "--data", data, "--drop-bad-rows", "--json"});
  ASSERT_EQ(evaluate.exit_code, 0) << evaluate.err;
  auto metrics = nlohmann::json::parse(evaluate.out);
  EXPECT_EQ(metrics["dropped_rows"], 2);
  EXPECT_EQ(metrics["rows"], 150);
  auto predict = run_cli({"predict", model, "--data", data, "--drop-bad-rows", "--out", (dir.path() / "p.csv").string()});
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  EXPECT_NE(predict.out.find("wrote 150 predictions"), std::string::npos) << predict.out;
  EXPECT_NE(predict.out.find("dropped 2 rows"), std::string::npos) << predict.out;
}

// --history writes one CSV row per epoch run, with the validation columns; a
// rerun with the same seed writes the same bytes.
TEST(Cli, TrainHistoryIsOneDeterministicRowPerEpoch) {
  TempDir dir;
  const std::string history = (dir.path() / "history.csv").string();
  const std::vector<std::string> train = {"train", "--data", example("iris.csv"), "--label", "species", "--hidden",
                                          "8", "--epochs", "7", "--seed", "3", "--history", history, "-q"};
  ASSERT_EQ(run_cli(train).exit_code, 0);
  const std::string first = read_file(history);
  EXPECT_EQ(first.rfind("epoch,learning_rate,train_loss,validation_loss,validation_accuracy\n1,", 0), 0u) << first;
  EXPECT_EQ(count_lines(first), 8);
  EXPECT_NE(first.find("\n7,"), std::string::npos) << first;
  ASSERT_EQ(run_cli(train).exit_code, 0);
  EXPECT_EQ(read_file(history), first);
}

TEST(Cli, TrainEvaluatePredictInspectOnIris) {
  TempDir dir;
  const std::string model = (dir.path() / "iris.tmlm").string();
  auto train = run_cli({"train", "--data", example("iris.csv"), "--label", "species", "--hidden", "16",
                        "--epochs", "80", "--lr", "0.01", "--seed", "1", "--out", model, "--log-json"});
  ASSERT_EQ(train.exit_code, 0) << train.err;
  EXPECT_NE(train.out.find("test accuracy"), std::string::npos) << train.out;
  // Progress went to stderr as JSON lines, one per epoch.
  int epochs = 0;
  std::istringstream lines(train.err);
  for (std::string line; std::getline(lines, line);) {
    auto event = nlohmann::json::parse(line);
    epochs += event["event"] == "epoch";
  }
  EXPECT_EQ(epochs, 80);

  auto evaluate = run_cli({"evaluate", model, "--data", example("iris.csv"), "--json"});
  ASSERT_EQ(evaluate.exit_code, 0) << evaluate.err;
  auto metrics = nlohmann::json::parse(evaluate.out);
  EXPECT_GT(metrics["accuracy"].get<double>(), 0.9);
  EXPECT_TRUE(metrics.contains("f1_macro"));
  EXPECT_EQ(metrics["rows"], 150);

  const std::string predictions = (dir.path() / "p.csv").string();
  auto predict = run_cli({"predict", model, "--data", example("iris.csv"), "--out", predictions, "--probabilities"});
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  std::string text = read_file(predictions);
  EXPECT_EQ(text.substr(0, text.find('\n')), "line,class,confidence,p_setosa,p_versicolor,p_virginica");
  EXPECT_EQ(count_lines(text), 151);
  EXPECT_NE(text.find("\n2,setosa,"), std::string::npos);

  auto inspect = run_cli({"inspect", model, "--json"});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  auto info = nlohmann::json::parse(inspect.out);
  EXPECT_EQ(info["params"], 4 * 16 + 16 + 16 * 3 + 3);
  EXPECT_EQ(info["weight_bytes"], 4 * (4 * 16 + 16 + 16 * 3 + 3));
  EXPECT_EQ(info["macs"], 4 * 16 + 16 * 3 + 0);
  EXPECT_EQ(info["provenance"]["seed"], 1);
  EXPECT_EQ(info["provenance"]["data_sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(info["provenance"]["library_build"], tinymlops::build_isa());  // docs/reproducibility.md
  auto table = run_cli({"inspect", model});
  EXPECT_NE(table.out.find("dense"), std::string::npos);
}

TEST(Cli, RegressionEvaluateReportsRmseMaeR2) {
  TempDir dir;
  const std::string model = (dir.path() / "d.tmlm").string();
  auto train = run_cli({"train", "--data", example("diabetes.csv"), "--label", "progression", "--hidden", "16",
                        "--epochs", "40", "--lr", "0.01", "--out", model, "-q"});
  ASSERT_EQ(train.exit_code, 0) << train.err;
  auto evaluate = run_cli({"evaluate", model, "--data", example("diabetes.csv"), "--json"});
  ASSERT_EQ(evaluate.exit_code, 0) << evaluate.err;
  auto metrics = nlohmann::json::parse(evaluate.out);
  for (const char* key : {"rmse", "mae", "r2"}) EXPECT_TRUE(metrics.contains(key)) << key;
  EXPECT_GT(metrics["r2"].get<double>(), 0.3);
}

TEST(Cli, ConfigFileAndFlagsAgree) {
  TempDir dir;
  auto config = dir.write("train.yaml", "data: " + example("iris.csv") +
                                            "\nlabel: species\nhidden: [8]\nepochs: 5\nseed: 3\n");
  const std::string from_file = (dir.path() / "a.tmlm").string();
  const std::string from_flags = (dir.path() / "b.tmlm").string();
  ASSERT_EQ(run_cli({"train", "--config", config.string(), "--out", from_file, "-q"}).exit_code, 0);
  ASSERT_EQ(run_cli({"train", "--data", example("iris.csv"), "--label", "species", "--hidden", "8", "--epochs", "5",
                     "--seed", "3", "--out", from_flags, "-q"})
                .exit_code,
            0);
  EXPECT_EQ(read_file(from_file), read_file(from_flags));
}

TEST(Cli, CorruptedModelIsRefusedWithItsName) {
  TempDir dir;
  auto model = dir.write("m.tmlm", "TMLMODEL but then nothing sensible at all, just text.............");
  expect_one_line_error(run_cli({"inspect", model.string()}), 1, model.string());
}

// The acceptance checks: digits MLP 64-32 >= 0.96 test accuracy with a
// fixed seed, and the same seed twice gives identical model files.
TEST(Cli, QuickstartDigitsAccuracyAndDeterminism) {
  TempDir dir;
  const std::string a = (dir.path() / "a.tmlm").string();
  const std::string b = (dir.path() / "b.tmlm").string();
  auto first = run_cli({"quickstart", "--data", example("digits.csv"), "--out", a, "-q"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto second = run_cli({"quickstart", "--data", example("digits.csv"), "--out", b, "-q"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(read_file(a), read_file(b));
  const std::string marker = "test accuracy  ";
  size_t at = first.out.find(marker);
  ASSERT_NE(at, std::string::npos) << first.out;
  double accuracy = std::stod(first.out.substr(at + marker.size()));
  EXPECT_GE(accuracy, 0.96) << first.out;
  EXPECT_NE(first.out.find("model written  " + a), std::string::npos);
}

TEST(Cli, WindowWithDropBadRowsIsAUsageError) {
  expect_one_line_error(run_cli({"train", "--data", example("iris.csv"), "--label", "species", "--window", "3",
                                 "--drop-bad-rows", "--out", "never.tmlm"}),
                        2, "--drop-bad-rows");
  EXPECT_FALSE(std::filesystem::exists("never.tmlm"));
}

// A series where the label says whether the signal rose since the previous row:
// unlearnable from one row, easy from a window of two or more.
TEST(Cli, TimeSeriesWindowsTrainEvaluateAndPredict) {
  TempDir dir;
  std::string csv = "signal,trend\n";
  double previous = 0;
  for (int t = 0; t < 600; ++t) {
    double value = std::sin(t * 0.37) + 0.5 * std::sin(t * 0.11);
    csv += std::to_string(value) + "," + (value > previous ? "up" : "down") + "\n";
    previous = value;
  }
  auto data = dir.write("series.csv", csv).string();
  const std::string model = (dir.path() / "series.tmlm").string();
  auto train = run_cli({"train", "--data", data, "--label", "trend", "--window", "4", "--hidden", "16",
                        "--epochs", "60", "--lr", "0.01", "--seed", "3", "--out", model, "-q", "--json"});
  ASSERT_EQ(train.exit_code, 0) << train.err;
  auto result = nlohmann::json::parse(train.out);
  EXPECT_GT(result["test"]["accuracy"].get<double>(), 0.9) << train.out;

  auto inspect = nlohmann::json::parse(run_cli({"inspect", model, "--json"}).out);
  EXPECT_EQ(inspect["window"]["size"], 4);
  EXPECT_EQ(inspect["input_shape"], nlohmann::json::array({4, 1}));

  auto evaluate = run_cli({"evaluate", model, "--data", data, "--json"});
  ASSERT_EQ(evaluate.exit_code, 0) << evaluate.err;
  EXPECT_EQ(nlohmann::json::parse(evaluate.out)["rows"], 597);  // 600 - 4 + 1 windows

  const std::string predictions = (dir.path() / "p.csv").string();
  ASSERT_EQ(run_cli({"predict", model, "--data", data, "--out", predictions}).exit_code, 0);
  std::string text = read_file(predictions);
  EXPECT_EQ(count_lines(text), 1 + 597);
  // The first window ends on row 4 of the data, file line 5.
  EXPECT_EQ(text.substr(text.find('\n') + 1, 2), "5,");
}

}  // namespace
}  // namespace tinymlops

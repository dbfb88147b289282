// `tinymlops quantize` and `prune` end to end, and evaluate/predict/inspect on
// their output.
#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "cli_expect.h"
#include "test_util.h"
#include "tinymlops/core/file_io.h"

namespace tinymlops {
namespace {

using testing::digits_csv;
using testing::run_cli;
using testing::TempDir;


class CompressCli : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = (dir_.path() / "d.tmlm").string();
    auto r = run_cli({"quickstart", "--out", model_, "-q", "--data", digits_csv()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  TempDir dir_;
  std::string model_;
};

TEST_F(CompressCli, Int8IsFourTimesSmallerLosesLittleAndIsDeterministic) {
  const std::string a = (dir_.path() / "a.tdm").string(), b = (dir_.path() / "b.tdm").string();
  auto r = run_cli({"quantize", model_, "--data", digits_csv(), "--label", "digit", "--out", a, "--json", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto report = nlohmann::json::parse(r.out);
  EXPECT_GE(report["weight_ratio"].get<double>(), 3.9);
  EXPECT_LE(report["drop"].get<double>(), 0.5);
  EXPECT_EQ(report["eval_rows"], 359);  // the model's own test rows
  EXPECT_EQ(report["layers"].size(), 4u);
  ASSERT_EQ(run_cli({"quantize", model_, "--data", digits_csv(), "--out", b, "-q"}).exit_code, 0);
  EXPECT_EQ(read_file(a), read_file(b));

  auto evaluate = run_cli({"evaluate", a, "--data", digits_csv(), "--json"});
  ASSERT_EQ(evaluate.exit_code, 0) << evaluate.err;
  EXPECT_GT(nlohmann::json::parse(evaluate.out)["accuracy"].get<double>(), 0.95);
  auto inspect = run_cli({"inspect", a, "--json"});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  auto info = nlohmann::json::parse(inspect.out);
  EXPECT_EQ(info["variant"], "int8");
  EXPECT_EQ(info["weight_bytes"], report["weight_bytes_after"]);
  const std::string predictions = (dir_.path() / "p.csv").string();
  auto predict = run_cli({"predict", a, "--data", digits_csv(), "--out", predictions});
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  EXPECT_EQ(read_file(predictions).substr(0, 22), "line,class,confidence\n");
}

TEST_F(CompressCli, Int16x8KeepsFloatAccuracyWithInt8Weights) {
  const std::string out = (dir_.path() / "q16.tdm").string();
  auto r = run_cli({"quantize", model_, "--data", digits_csv(), "--activations", "int16", "--out", out, "--json", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["variant"], "int16x8");
  EXPECT_EQ(report["activations"], "int16");
  EXPECT_DOUBLE_EQ(report["weight_ratio"].get<double>(), 4.0);  // int8 weights
  EXPECT_EQ(report["bytes"]["quantized"]["biases"], 2 * report["bytes"]["float32"]["biases"].get<int>());  // int64
  // Within a tenth of a point below float (one of the 359 rows is 0.28 points),
  // and the log loss within 0.001 of float's (int8: 0.003 further).
  EXPECT_LE(report["drop"].get<double>(), 0.1);
  EXPECT_NEAR(report["after"]["log_loss"].get<double>(), report["before"]["log_loss"].get<double>(), 0.001);
  EXPECT_EQ(read_file(out)[8], 2);  // format version 2: int16/int64 tensors

  auto evaluate = run_cli({"evaluate", out, "--data", digits_csv(), "--json"});
  ASSERT_EQ(evaluate.exit_code, 0) << evaluate.err;
  EXPECT_GT(nlohmann::json::parse(evaluate.out)["accuracy"].get<double>(), 0.95);
  auto inspect = run_cli({"inspect", out, "--json"});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  EXPECT_EQ(nlohmann::json::parse(inspect.out)["variant"], "int16x8");
  auto text = run_cli({"quantize", model_, "--data", digits_csv(), "--activations", "int16", "--out", out, "-q"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("int16x8: int16 activations, int8 weights"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("(int64)"), std::string::npos) << text.out;
  // --bits 16 (the CLI contract) is the same int16x8 model, byte for byte.
  const std::string bits16 = (dir_.path() / "b16.tdm").string();
  auto same = run_cli({"quantize", model_, "--data", digits_csv(), "--bits", "16", "--out", bits16, "-q"});
  ASSERT_EQ(same.exit_code, 0) << same.err;
  EXPECT_EQ(read_file(bits16), read_file(out));
}

TEST_F(CompressCli, Int4QatIsEightTimesSmallerAndLosesAtMostOnePoint) {
  const std::string out = (dir_.path() / "q4.tdm").string();
  auto r = run_cli({"quantize", model_, "--data", digits_csv(), "--method", "qat", "--bits", "4", "--out", out, "--json",
                    "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto report = nlohmann::json::parse(r.out);
  EXPECT_DOUBLE_EQ(report["weight_ratio"].get<double>(), 8.0);
  EXPECT_LE(report["drop"].get<double>(), 1.0);
  EXPECT_EQ(report["activation_ranges"], "trained");
  auto info = nlohmann::json::parse(run_cli({"inspect", out, "--json"}).out);
  EXPECT_EQ(info["variant"], "int4");
}

TEST_F(CompressCli, RecipePrunesThenQuantizesInt4) {
  auto recipe = dir_.write("recipe.yaml",
                           "steps:\n  - prune: {sparsity: 0.5, epochs: 5}\n  - quantize: {method: qat, bits: 4, epochs: 5}\n");
  const std::string out = (dir_.path() / "r.tdm").string();
  auto r = run_cli({"compress", model_, "--recipe", recipe.string(), "--data", digits_csv(), "--out", out, "--json", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto report = nlohmann::json::parse(r.out);
  ASSERT_EQ(report["steps"].size(), 2u);
  EXPECT_EQ(report["steps"][0]["prune"]["nonzero_after"], 3232);
  EXPECT_EQ(report["steps"][1]["quantize"]["bits"], 4);
  auto info = nlohmann::json::parse(run_cli({"inspect", out, "--json"}).out);
  EXPECT_EQ(info["variant"], "int4");
  EXPECT_EQ(info["provenance"]["pruning"]["sparsity"], 0.5);

  auto bad = dir_.write("bad.yaml", "steps:\n  - quantize: {bits: 3}\n");
  auto e = run_cli({"compress", model_, "--recipe", bad.string(), "--data", digits_csv(), "--out", out + "2", "-q"});
  EXPECT_EQ(e.exit_code, 1);
  EXPECT_NE(e.err.find(bad.string() + ":2:16: 3 bits"), std::string::npos) << e.err;
  EXPECT_FALSE(std::filesystem::exists(out + "2"));
}

// The text report has a line per step; a cluster step's says how many values
// each layer keeps.
TEST_F(CompressCli, RecipeTextReportHasALinePerStep) {
  auto recipe = dir_.write("recipe.yaml",
                           "steps:\n  - prune: {sparsity: 0.5, epochs: 1}\n  - cluster: {clusters: 8, epochs: 1}\n");
  const std::string clustered = (dir_.path() / "rc.tmlm").string();
  auto text =
      run_cli({"compress", model_, "--recipe", recipe.string(), "--data", digits_csv(), "--out", clustered, "-q"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out.rfind("prune     held-out drop ", 0), 0u) << text.out;
  EXPECT_NE(text.out.find("\ncluster   held-out drop "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(", at most 8 distinct weights per layer\nwrote " + clustered), std::string::npos)
      << text.out;
}

TEST_F(CompressCli, DistillTrainsASmallStudentFromTheTeacher) {
  const std::string student = (dir_.path() / "student.tmlm").string();
  auto r = run_cli({"distill", "--teacher", model_, "--data", digits_csv(), "--label", "digit", "--hidden", "16",
                    "--epochs", "40", "--out", student, "--json", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(nlohmann::json::parse(r.out)["test"]["accuracy"].get<double>(), 0.93);
  auto info = nlohmann::json::parse(run_cli({"inspect", student, "--json"}).out);
  EXPECT_EQ(info["params"], 64 * 16 + 16 + 16 * 10 + 10);
  EXPECT_EQ(info["provenance"]["params"]["teacher"], "d.tmlm");

  auto missing = run_cli({"distill", "--data", digits_csv(), "--label", "digit", "--out", student, "-q"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("--teacher"), std::string::npos) << missing.err;
  auto iris = (testing::source_dir() / "examples/data/iris.csv").string();
  auto other = run_cli({"distill", "--teacher", model_, "--data", iris, "--label", "species", "--out", student, "-q"});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find(model_ + ": the teacher was trained on other columns"), std::string::npos) << other.err;
}

TEST_F(CompressCli, SixteenClustersThenInt8StoresCodebooksEightTimesSmaller) {
  const std::string clustered = (dir_.path() / "c.tmlm").string(), out = (dir_.path() / "c.tdm").string();
  auto c = run_cli({"cluster", model_, "--data", digits_csv(), "--clusters", "16", "--out", clustered, "--json", "-q"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const auto clustering = nlohmann::json::parse(c.out);
  for (const auto& layer : clustering["layers"]) EXPECT_LE(layer["distinct"].get<int>(), 16);
  auto q = run_cli({"quantize", clustered, "--data", digits_csv(), "--out", out, "--json", "-q"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  auto report = nlohmann::json::parse(q.out);
  EXPECT_DOUBLE_EQ(report["weight_ratio"].get<double>(), 8.0);
  EXPECT_EQ(report["bytes"]["quantized"]["codebooks"], 3 * 16);
  auto original = nlohmann::json::parse(run_cli({"evaluate", model_, "--data", digits_csv(), "--json"}).out);
  auto compressed = nlohmann::json::parse(run_cli({"evaluate", out, "--data", digits_csv(), "--json"}).out);
  EXPECT_GE(compressed["accuracy"].get<double>(), original["accuracy"].get<double>() - 0.01);

  auto bad = run_cli({"cluster", model_, "--data", digits_csv(), "--clusters", "32", "--out", clustered + "2", "-q"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--clusters: 32 clusters is not supported"), std::string::npos) << bad.err;
  auto unknown = run_cli({"cluster", model_, "--data", digits_csv(), "--method", "magic", "--out", clustered + "2", "-q"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("--method"), std::string::npos) << unknown.err;
  // Evolving clustering: the data chooses how many clouds (at most 16).
  auto evolving = run_cli({"cluster", model_, "--data", digits_csv(), "--method", "evolving", "--out", clustered + "3",
                           "--json", "-q"});
  ASSERT_EQ(evolving.exit_code, 0) << evolving.err;
  const auto clouds = nlohmann::json::parse(evolving.out);
  for (const auto& layer : clouds["layers"]) {
    EXPECT_GE(layer["distinct"].get<int>(), 2);
    EXPECT_LE(layer["distinct"].get<int>(), 16);
  }
}

// The data-chosen methods, bias clustering and cluster-aware training from the
// command line, and their bad values.
TEST_F(CompressCli, MeanShiftDbstreamBiasesAndReclusterFlags) {
  const std::string out = (dir_.path() / "m.tmlm").string();
  auto meanshift = run_cli({"cluster", model_, "--data", digits_csv(), "--method", "meanshift", "--bandwidth", "0.05",
                            "--biases", "--epochs", "1", "--out", out, "--json", "-q"});
  ASSERT_EQ(meanshift.exit_code, 0) << meanshift.err;
  const auto report = nlohmann::json::parse(meanshift.out);
  EXPECT_EQ(report["method"], "meanshift");
  for (const auto& layer : report["layers"]) {
    EXPECT_LE(layer["distinct"].get<int>(), 16);
    ASSERT_TRUE(layer.contains("distinct_biases")) << layer.dump();
    EXPECT_LE(layer["distinct_biases"].get<int>(), 16);
    EXPECT_LT(layer["distinct_biases"].get<int>(), layer["biases"].get<int>());
  }
  auto dbstream = run_cli({"cluster", model_, "--data", digits_csv(), "--method", "dbstream", "--radius", "0.01",
                           "--recluster-every", "10", "--epochs", "1", "--out", out, "--json", "-q"});
  ASSERT_EQ(dbstream.exit_code, 0) << dbstream.err;
  const auto dbstream_report = nlohmann::json::parse(dbstream.out);
  for (const auto& layer : dbstream_report["layers"]) {
    EXPECT_GE(layer["distinct"].get<int>(), 1);
    EXPECT_LE(layer["distinct"].get<int>(), 16);
    EXPECT_FALSE(layer.contains("distinct_biases"));
  }
  // AutoCloud's merge of overlapping clouds leaves fewer distinct weights in some layer.
  int plain = 0, merged = 0;
  for (bool merge : {false, true}) {
    std::vector<std::string> args{"cluster", model_, "--data", digits_csv(), "--method", "autocloud", "--epochs", "0",
                                  "--out", out, "--json", "-q"};
    if (merge) args.push_back("--merge-overlapping");
    auto r = run_cli(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto report_of_run = nlohmann::json::parse(r.out);
    for (const auto& layer : report_of_run["layers"]) (merge ? merged : plain) += layer["distinct"].get<int>();
  }
  EXPECT_LT(merged, plain);
  auto text = run_cli({"cluster", model_, "--data", digits_csv(), "--method", "meanshift", "--biases", "--epochs", "0",
                       "--out", out});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("into at most 16 shared values (meanshift)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("biases,"), std::string::npos) << text.out;

  for (const auto& [flag, value] : std::vector<std::pair<std::string, std::string>>{
           {"--bandwidth", "-1"}, {"--radius", "-0.5"}, {"--recluster-every", "-3"}, {"--radius", "abc"}}) {
    auto bad =
        run_cli({"cluster", model_, "--data", digits_csv(), "--method", "dbstream", flag, value, "--out", out, "-q"});
    EXPECT_EQ(bad.exit_code, 2) << flag << " " << value;
    EXPECT_NE(bad.err.find(flag), std::string::npos) << bad.err;
    EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;  // one line
  }
}

TEST_F(CompressCli, WeightOnlyFloat16AndDynamicInt8) {
  for (const auto& [method, ratio, variant] : std::vector<std::tuple<std::string, double, std::string>>{
           {"fp16", 2.0, "float16"}, {"dynamic", 4.0, "int8-weights"}}) {
    const std::string out = (dir_.path() / (method + ".tdm")).string();
    auto r = run_cli({"quantize", model_, "--data", digits_csv(), "--method", method, "--out", out, "--json", "-q"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto report = nlohmann::json::parse(r.out);
    EXPECT_DOUBLE_EQ(report["weight_ratio"].get<double>(), ratio) << method;
    EXPECT_LE(report["drop"].get<double>(), 0.5) << method;
    EXPECT_EQ(nlohmann::json::parse(run_cli({"inspect", out, "--json"}).out)["variant"], variant);
  }
}

TEST_F(CompressCli, BadRequestsGetOneLineErrors) {
  const std::string out = (dir_.path() / "q.tdm").string();
  struct Case {
    std::vector<std::string> extra;
    int exit_code;
    std::string fragment;
  };
  const std::vector<Case> cases = {
      {{"--bits", "3"}, 2, "--bits: 3 bits is not supported"},
      {{"--bits", "2"}, 2, "--bits: 2 bits is not supported (supported: 4, 8, 16)"},
      {{"--budget", "5000", "--bits", "4"}, 2, "--budget: chooses the bits per layer itself"},
      {{"--budget", "100"}, 1, "--budget: cannot fit 100 bytes"},
      {{"--method", "fp16", "--bits", "4"}, 2, "--method: fp16 fixes the weight format"},
      {{"--method", "qat", "--epochs", "0"}, 2, "--epochs"},
      {{"--method", "magic"}, 2, "--method"},
      {{"--calibration", "entropy"}, 2, "--calibration"},
      {{"--label", "species"}, 2, "'digit', not 'species'"},
      {{"--per-channel", "--per-tensor"}, 2, "--per-tensor"},
      {{"--calibration-samples", "0"}, 2, "--calibration-samples"},
      {{"--activations", "int12"}, 2, "--activations: unknown activation type 'int12'"},
      {{"--activations", "int16", "--bits", "4"}, 2, "--activations: int16 activations (int16x8) go with"},
      {{"--activations", "int16", "--method", "qat"}, 2, "--activations: int16 activations (int16x8) go with"},
      {{"--recalibrate"}, 2, "--recalibrate: goes with --method qat"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"quantize", model_, "--data", digits_csv(), "--out", out, "-q"};
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.fragment << ": " << r.err;
    EXPECT_NE(r.err.find(c.fragment), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  // Calibration data of the wrong width: a feature column is missing.
  std::string text = read_file(digits_csv());
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

TEST_F(CompressCli, PruneHalfThenQuantizeLosesAtMostOnePoint) {
  const std::string pruned = (dir_.path() / "p.tmlm").string(), again = (dir_.path() / "p2.tmlm").string();
  auto r = run_cli({"prune", model_, "--data", digits_csv(), "--sparsity", "0.5", "--out", pruned, "--json", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["nonzero_after"], report["nonzero_before"].get<int>() / 2);
  ASSERT_EQ(run_cli({"prune", model_, "--data", digits_csv(), "--sparsity", "0.5", "--out", again, "-q"}).exit_code, 0);
  EXPECT_EQ(read_file(pruned), read_file(again));
  const std::string quantized = (dir_.path() / "p.tdm").string();
  ASSERT_EQ(run_cli({"quantize", pruned, "--data", digits_csv(), "--out", quantized, "-q"}).exit_code, 0);
  auto original = run_cli({"evaluate", model_, "--data", digits_csv(), "--json"});
  auto compressed = run_cli({"evaluate", quantized, "--data", digits_csv(), "--json"});
  ASSERT_EQ(compressed.exit_code, 0) << compressed.err;
  EXPECT_GE(nlohmann::json::parse(compressed.out)["accuracy"].get<double>(),
            nlohmann::json::parse(original.out)["accuracy"].get<double>() - 0.01);
}

TEST_F(CompressCli, StructuredPruningShrinksTheModel) {
  const std::string pruned = (dir_.path() / "s.tmlm").string();
  auto r = run_cli({"prune", model_, "--data", digits_csv(), "--sparsity", "0.5", "--structured", "--out", pruned,
                    "--json", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["params_after"], 64 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10);
  EXPECT_LE(report["drop"].get<double>(), 2.0);
  auto inspect = nlohmann::json::parse(run_cli({"inspect", pruned, "--json"}).out);
  EXPECT_EQ(inspect["params"], report["params_after"]);
}

TEST_F(CompressCli, BadPruneRequestsGetOneLineErrors) {
  const std::string out = (dir_.path() / "bad.tmlm").string();
  for (const auto& [flag, value] : std::vector<std::pair<std::string, std::string>>{
           {"--sparsity", "1.5"}, {"--sparsity", "-0.1"}, {"--schedule", "linear"}, {"--epochs", "-1"}}) {
    auto r = run_cli({"prune", model_, "--data", digits_csv(), "--out", out, flag, value, "-q"});
    EXPECT_EQ(r.exit_code, 2) << flag << " " << value << ": " << r.err;
    EXPECT_NE(r.err.find(flag), std::string::npos) << r.err;
  }
  auto norm = run_cli({"prune", model_, "--data", digits_csv(), "--structured", "--norm", "l3", "--out", out, "-q"});
  EXPECT_EQ(norm.exit_code, 2) << norm.err;
  EXPECT_NE(norm.err.find("--norm"), std::string::npos) << norm.err;
  TempDir dir;
  const std::string cnn = (dir.path() / "cnn.tmlm").string();
  ASSERT_EQ(run_cli({"train", "--data", digits_csv(), "--label", "digit", "--input-shape", "8x8x1", "--layers",
                     "conv2d:4:3x3,softmax,flatten", "--epochs", "1", "--out", cnn, "-q"})
                .exit_code,
            0);
  auto r = run_cli({"prune", cnn, "--data", digits_csv(), "--structured", "--out", out, "-q"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("layers[1] (activation)"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

// conv 8 -> bn -> relu -> maxpool -> flatten (3x3x8) -> dense 10 (added by train).
TEST_F(CompressCli, StructuredPruningRemovesConvolutionFilters) {
  const std::string cnn = (dir_.path() / "cnn.tmlm").string(), pruned = (dir_.path() / "cnn-s.tmlm").string();
  ASSERT_EQ(run_cli({"train", "--data", digits_csv(), "--label", "digit", "--input-shape", "8x8x1", "--layers",
                     "conv2d:8:3x3,batchnorm,relu,maxpool:2,flatten", "--epochs", "3", "--out", cnn, "-q"})
                .exit_code,
            0);
  auto r = run_cli({"prune", cnn, "--data", digits_csv(), "--structured", "--norm", "l1", "--sparsity", "0.5",
                    "--epochs", "2", "--out", pruned, "--json", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["norm"], "l1");
  EXPECT_EQ(report["units"][0]["before"], 8);
  EXPECT_EQ(report["units"][0]["after"], 4);
  // conv 3x3x1x8 + 8, bn 2 x 8, dense 72 x 10 + 10 -> halved channels everywhere but the output.
  EXPECT_EQ(report["params_before"], 80 + 16 + 730);
  EXPECT_EQ(report["params_after"], 40 + 8 + 370);
  auto inspect = nlohmann::json::parse(run_cli({"inspect", pruned, "--json"}).out);
  EXPECT_EQ(inspect["params"], report["params_after"]);
  EXPECT_EQ(inspect["provenance"]["pruning"]["norm"], "l1");
  auto evaluate = run_cli({"evaluate", pruned, "--data", digits_csv(), "--json"});
  ASSERT_EQ(evaluate.exit_code, 0) << evaluate.err;
  const std::string deployed = (dir_.path() / "cnn-s.tdm").string();
  auto quantize = run_cli({"quantize", pruned, "--data", digits_csv(), "--out", deployed, "-q"});
  EXPECT_EQ(quantize.exit_code, 0) << quantize.err;
  auto text = run_cli({"prune", cnn, "--data", digits_csv(), "--structured", "--epochs", "0", "--out", pruned, "-q"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("(conv2d)           8 -> 4"), std::string::npos) << text.out;
}

}  // namespace
}  // namespace tinymlops

// The dashboard of `tinymlops ui` over a fixture project made with the real
// binary (init, exp run of a shell pipeline, model register/alias): its JSON, the
// HTTP server over real sockets, and the page end to end in headless Chromium.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "test_util.h"
#include "tinymlops/core/error.h"
#include "tinymlops/serve/dashboard.h"
#include "tinymlops/serve/dashboard_server.h"

namespace tinymlops {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::run_cli;
using testing::ScopedCwd;
using testing::TempDir;
using Json = nlohmann::ordered_json;

// The training "script" of the fixture pipeline: a curve per epoch, final metrics,
// and a model file, all determined by the two params.
constexpr const char* kTrainScript = R"(#!/bin/sh
awk -v n="$1" -v lr="$2" 'BEGIN {
  print "epoch,train_loss,validation_accuracy" > "history.csv"
  for (i = 1; i <= n; i++) {
    loss = 1 / (1 + lr * i * 10); acc = 1 - 0.5 * loss
    printf "%d,%.4f,%.4f\n", i, loss, acc > "history.csv"
  }
  printf "{\"accuracy\": %.4f, \"loss\": %.4f}\n", acc, loss > "metrics.json"
  printf "model epochs=%d lr=%s\n", n, lr > "model.bin"
}'
)";

constexpr const char* kPipeline = R"(stages:
  train:
    cmd: sh train.sh ${train.epochs} ${train.lr}
    deps: [train.sh]
    params: [train.epochs, train.lr]
    outs: [model.bin]
    metrics: [metrics.json]
    plots: [history.csv]
)";

void expect_cli(const std::vector<std::string>& args) {
  const CommandResult result = run_cli(args);
  ASSERT_EQ(result.exit_code, 0) << args[0] << ": " << result.err << result.out;
}

// Three experiments ("small" 3 epochs acc 0.875, "medium" 6 epochs 0.9615, "large"
// 10 epochs 0.9167) and model "digits": v1 model.bin from "large" (fails the loss
// gate, alias staging), v2 an int8 variant with a smaller file (passes, production).
class Fixture {
 public:
  Fixture() {
    const ScopedCwd cwd(dir_.path());
    expect_cli({"init"});
    dir_.write("tinymlops.yaml", "tracking: sqlite\ngates:\n  - accuracy >= 0.9\n  - loss <= 0.15\n");
    dir_.write("params.yaml", "train:\n  epochs: 3\n  lr: 0.1\n");
    dir_.write("pipeline.yaml", kPipeline);
    dir_.write("train.sh", kTrainScript);
    expect_cli({"exp", "run", "-S", "train.epochs=3", "-S", "train.lr=0.1", "--name", "small"});
    expect_cli({"exp", "run", "-S", "train.epochs=6", "-S", "train.lr=0.2", "--name", "medium"});
    expect_cli({"exp", "run", "-S", "train.epochs=10", "-S", "train.lr=0.05", "--name", "large"});
    expect_cli({"model", "register", "digits", "model.bin", "--from-exp", "large"});
    dir_.write("digits-int8.tdm", "int8");
    dir_.write("int8.json", R"({"variant": "int8", "accuracy": 0.91, "loss": 0.14})");
    expect_cli({"model", "register", "digits", "digits-int8.tdm", "--metrics", "int8.json", "--from-exp", "large"});
    expect_cli({"model", "alias", "digits", "1", "staging"});
    expect_cli({"model", "alias", "digits", "2", "production"});
    const Json experiments = serve::DashboardData(dir_.path()).experiments();
    for (const Json& e : experiments["experiments"]) ids_.push_back(e["id"].get<std::string>());
  }
  const fs::path& root() const { return dir_.path(); }
  const std::vector<std::string>& ids() const { return ids_; }

 private:
  TempDir dir_;
  std::vector<std::string> ids_;
};

class DashboardTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { fixture_ = new Fixture(); }
  static void TearDownTestSuite() {
    delete fixture_;
    fixture_ = nullptr;
  }
  static Fixture* fixture_;
  serve::DashboardData data() const { return serve::DashboardData(fixture_->root()); }
};
Fixture* DashboardTest::fixture_ = nullptr;

TEST_F(DashboardTest, ExperimentsListEveryRunWithParamAndMetricColumns) {
  const Json doc = data().experiments();
  EXPECT_EQ(doc["params"], Json({"train.epochs", "train.lr"}));
  EXPECT_EQ(doc["metrics"], Json({"accuracy", "loss"}));
  ASSERT_EQ(doc["experiments"].size(), 3u);
  EXPECT_EQ(doc["experiments"][0]["name"], "small");
  EXPECT_EQ(doc["experiments"][0]["params"]["train.epochs"], 3);
  EXPECT_DOUBLE_EQ(doc["experiments"][1]["metrics"]["accuracy"].get<double>(), 0.9615);
  EXPECT_EQ(doc["experiments"][2]["status"], "success");
  const Json project = data().project();
  EXPECT_EQ(project["experiments"], 3);
  EXPECT_EQ(project["models"], 1);
  EXPECT_EQ(project["gates"].size(), 2u);
}

TEST_F(DashboardTest, CompareMarksTheRowsThatDiffer) {
  const Json doc = data().compare("small", "large");
  EXPECT_EQ(doc["a_name"], "small");
  EXPECT_EQ(doc["b_name"], "large");
  bool saw_epochs = false;
  for (const Json& row : doc["rows"]) {
    if (row["key"] == "train.epochs") {
      saw_epochs = true;
      EXPECT_EQ(row["a"], 3);
      EXPECT_EQ(row["b"], 10);
      EXPECT_EQ(row["delta"], 7);
      EXPECT_TRUE(row["differs"].get<bool>());
    }
  }
  EXPECT_TRUE(saw_epochs);
  const Json same = data().compare("small", "small");
  for (const Json& row : same["rows"]) EXPECT_FALSE(row["differs"].get<bool>()) << row.dump();
  EXPECT_THROW(data().compare("small", "no-such-run"), Error);
}

TEST_F(DashboardTest, CurvesComeFromEachExperimentsCachedPlotsFile) {
  // The workspace's history.csv is the last run's (10 epochs); each experiment
  // gets its own from the cache.
  const Json doc = data().curves();
  EXPECT_EQ(doc["warnings"], Json::array());
  ASSERT_EQ(doc["curves"].size(), 3u);
  const std::vector<size_t> epochs = {3, 6, 10};
  for (size_t i = 0; i < 3; ++i) {
    const Json& curve = doc["curves"][i];
    EXPECT_EQ(curve["experiment"], fixture_->ids()[i]);
    EXPECT_EQ(curve["source"], "history.csv");
    EXPECT_EQ(curve["x_name"], "epoch");
    EXPECT_EQ(curve["x"].size(), epochs[i]);
    ASSERT_EQ(curve["series"].size(), 2u);
    EXPECT_EQ(curve["series"][1]["name"], "validation_accuracy");
  }
  EXPECT_DOUBLE_EQ(doc["curves"][0]["series"][0]["y"][0].get<double>(), 0.5);  // 1 / (1 + 0.1 * 1 * 10)
}

TEST_F(DashboardTest, ModelsShowVersionsAliasesAndEachGate) {
  const Json doc = data().models();
  ASSERT_EQ(doc["models"].size(), 1u);
  const Json& model = doc["models"][0];
  EXPECT_EQ(model["name"], "digits");
  ASSERT_EQ(model["versions"].size(), 2u);
  const Json& v1 = model["versions"][0];
  EXPECT_EQ(v1["aliases"], Json({"staging"}));
  EXPECT_FALSE(v1["gates_passed"].get<bool>());
  EXPECT_TRUE(v1["gates"][0]["passed"].get<bool>());   // accuracy 0.9167 >= 0.9
  EXPECT_FALSE(v1["gates"][1]["passed"].get<bool>());  // loss 0.1667 > 0.15
  EXPECT_EQ(v1["gates"][1]["message"], "gate \"loss <= 0.15\" failed: loss = 0.1667");
  const Json& v2 = model["versions"][1];
  EXPECT_EQ(v2["aliases"], Json({"production"}));
  EXPECT_TRUE(v2["gates_passed"].get<bool>());
  EXPECT_EQ(model["alias_moves"].size(), 2u);

  const Json lineage = data().lineage("digits:production");
  EXPECT_EQ(lineage["model"]["version"], 2);
  EXPECT_EQ(lineage["experiment"]["name"], "large");
  EXPECT_THROW(data().lineage("digits@7"), Error);
}

TEST_F(DashboardTest, CompressionTableHasSizeAndAccuracyPerVariant) {
  const Json doc = data().compression("digits");
  ASSERT_EQ(doc["rows"].size(), 2u);
  const Json& base = doc["rows"][0];
  const Json& int8 = doc["rows"][1];
  EXPECT_EQ(base["variant"], "bin");  // model.bin: no variant metric, named by its extension
  EXPECT_EQ(base["size_bytes"], static_cast<int64_t>(fs::file_size(fixture_->root() / "model.bin")));
  EXPECT_DOUBLE_EQ(base["ratio"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(base["accuracy"].get<double>(), 0.9167);
  EXPECT_EQ(int8["variant"], "int8");
  EXPECT_EQ(int8["size_bytes"], 4);
  EXPECT_DOUBLE_EQ(int8["ratio"].get<double>(), base["size_bytes"].get<double>() / 4.0);
  EXPECT_NEAR(int8["delta_accuracy"].get<double>(), (0.91 - 0.9167) * 100, 1e-9);
  EXPECT_THROW(data().compression("nope"), Error);
}

// The real producers: `train --history` as a pipeline's plots file, and a
// `quantize --json` report registered as the metrics of the int8 variant.
TEST(DashboardRealFiles, TrainHistoryIsACurveAndAQuantizeReportAVariant) {
  TempDir dir;
  const ScopedCwd cwd(dir.path());
  expect_cli({"init"});
  const std::string iris = (testing::source_dir() / "examples/data/iris.csv").string();
  dir.write("pipeline.yaml", "stages:\n  train:\n    cmd: \"'" + std::string(TINYMLOPS_CLI) + "' train --data '" + iris +
                                 "' --label species --epochs 4 --hidden 8 --out model.tmlm --history history.csv -q\"\n"
                                 "    outs: [model.tmlm]\n    plots: [history.csv]\n");
  expect_cli({"exp", "run", "--name", "iris"});
  const CommandResult quantize = run_cli({"quantize", "model.tmlm", "--data", iris, "--out", "model.tdm", "--json"});
  ASSERT_EQ(quantize.exit_code, 0) << quantize.err;
  dir.write("quantize.json", quantize.out);
  expect_cli({"model", "register", "iris", "model.tmlm", "--from-exp", "iris"});
  expect_cli({"model", "register", "iris", "model.tdm", "--metrics", "quantize.json"});

  serve::DashboardData data(dir.path());
  const Json curves = data.curves();
  ASSERT_EQ(curves["curves"].size(), 1u) << curves.dump();
  const Json& curve = curves["curves"][0];
  EXPECT_EQ(curve["x_name"], "epoch");
  EXPECT_EQ(curve["x"], Json({1.0, 2.0, 3.0, 4.0}));
  std::vector<std::string> series;
  for (const Json& s : curve["series"]) series.push_back(s["name"].get<std::string>());
  EXPECT_EQ(series, (std::vector<std::string>{"learning_rate", "train_loss", "validation_loss", "validation_accuracy"}));

  const Json table = data.compression("iris");
  ASSERT_EQ(table["rows"].size(), 2u);
  EXPECT_EQ(table["rows"][0]["variant"], "float32");
  EXPECT_EQ(table["rows"][0]["accuracy_metric"], "");  // the experiment recorded no metrics file
  EXPECT_EQ(table["rows"][1]["variant"], "int8");
  EXPECT_EQ(table["rows"][1]["accuracy_metric"], "after.accuracy");
  EXPECT_EQ(table["rows"][1]["accuracy"], Json::parse(quantize.out)["after"]["accuracy"]);
  EXPECT_EQ(table["rows"][1]["size_bytes"], static_cast<int64_t>(fs::file_size(dir.path() / "model.tdm")));
}

// --- the server over real sockets ---------------------------------------------

TEST_F(DashboardTest, ServerAnswersTheApiAndThePageAndRefusesWrites) {
  serve::DashboardServer server({.project_root = fixture_->root(), .host = "127.0.0.1", .port = 0});
  const int port = server.start();
  httplib::Client client("127.0.0.1", port);

  auto experiments = client.Get("/api/experiments");
  ASSERT_TRUE(experiments);
  EXPECT_EQ(experiments->status, 200);
  EXPECT_EQ(experiments->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(Json::parse(experiments->body)["experiments"].size(), 3u);

  auto page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<title>tinymlops dashboard</title>"), std::string::npos);
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  auto chart = client.Get("/assets/chart.umd.min.js");
  ASSERT_TRUE(chart);
  EXPECT_EQ(chart->status, 200);
  EXPECT_NE(chart->body.find("Chart.js v4"), std::string::npos);
  EXPECT_EQ(chart->get_header_value("Content-Type"), "text/javascript; charset=utf-8");

  auto compare = client.Get("/api/compare?a=small&b=medium");
  ASSERT_TRUE(compare);
  EXPECT_EQ(compare->status, 200);
  auto missing = client.Get("/api/compare?a=small");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400);
  EXPECT_EQ(Json::parse(missing->body)["error"], "missing query parameter \"b\"");
  auto unknown = client.Get("/api/compare?a=small&b=ghost");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_NE(Json::parse(unknown->body)["error"].get<std::string>().find("ghost"), std::string::npos);
  auto compression = client.Get("/api/compression?model=digits");
  ASSERT_TRUE(compression);
  EXPECT_EQ(Json::parse(compression->body)["rows"].size(), 2u);
  auto lineage = client.Get("/api/lineage?ref=digits%3Astaging");
  ASSERT_TRUE(lineage);
  EXPECT_EQ(Json::parse(lineage->body)["model"]["version"], 1);

  auto nowhere = client.Get("/api/nothing");
  ASSERT_TRUE(nowhere);
  EXPECT_EQ(nowhere->status, 404);
  auto traversal = client.Get("/assets/..%2F..%2Fetc%2Fpasswd");
  ASSERT_TRUE(traversal);
  EXPECT_EQ(traversal->status, 404);
  auto post = client.Post("/api/experiments", "{}", "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->get_header_value("Allow"), "GET, HEAD");
  auto del = client.Delete("/api/models");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 405);
  server.stop();
  server.stop();  // idempotent
}

TEST(DashboardCli, OutsideAProjectIsAOneLineUsageError) {
  TempDir dir;
  const ScopedCwd cwd(dir.path());
  const CommandResult result = run_cli({"ui", "--port", "0"});
  EXPECT_EQ(result.exit_code, 2);  // a usage error: run it inside a project
  EXPECT_NE(result.err.find("tinymlops init"), std::string::npos) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
}

// --- end to end in headless Chromium -------------------------------------------

// `tinymlops ui --port 0` in `dir` as a child process; the URL it prints.
class UiProcess {
 public:
  explicit UiProcess(const fs::path& dir) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], 1);
      ::close(fds[0]);
      ::close(fds[1]);
      if (::chdir(dir.c_str()) != 0) ::_exit(126);
      ::execl(TINYMLOPS_CLI, TINYMLOPS_CLI, "ui", "--port", "0", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(fds[1]);
    out_ = ::fdopen(fds[0], "r");
  }
  ~UiProcess() {
    if (pid_ > 0 && exit_code_ < 0) terminate();
    if (out_ != nullptr) std::fclose(out_);
  }
  // The first line printed ("tinymlops ui: http://127.0.0.1:PORT/ ..."), "" at EOF.
  std::string first_line() {
    char buffer[1024];
    return std::fgets(buffer, sizeof buffer, out_) ? std::string(buffer) : std::string();
  }
  // SIGTERM, then the exit code.
  int terminate() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return exit_code_;
  }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  int exit_code_ = -1;
};

// Runs a shell command, returns {exit code, stdout and stderr}.
std::pair<int, std::string> run_shell(const std::string& command) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  std::string out;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST_F(DashboardTest, BrowserShowsSortsAndPlotsTheExperiments) {
  const fs::path script = fs::path(TINYMLOPS_SOURCE_DIR) / "ui/tests/dashboard_browser.mjs";
  ASSERT_TRUE(fs::exists(fs::path(TINYMLOPS_SOURCE_DIR) / "ui/node_modules/playwright-core"))
      << "run scripts/setup (npm ci --prefix ui)";
  const fs::path screenshot = fs::path(TINYMLOPS_BINARY_DIR) / "dashboard.png";
  fs::remove(screenshot);

  UiProcess ui(fixture_->root());
  const std::string line = ui.first_line();
  const size_t start = line.find("http://127.0.0.1:");
  ASSERT_NE(start, std::string::npos) << "tinymlops ui printed: " << line;
  const std::string url = line.substr(start, line.find('/', start + 7) - start + 1);

  std::string command = "node '" + script.string() + "' '" + url + "' '" + screenshot.string() + "'";
  for (const std::string& id : fixture_->ids()) command += " " + id;
  const auto [exit_code, output] = run_shell(command);
  EXPECT_EQ(exit_code, 0) << output;
  EXPECT_NE(output.find(screenshot.string()), std::string::npos) << output;
  ASSERT_TRUE(fs::exists(screenshot));
  EXPECT_GT(fs::file_size(screenshot), 20000u);
  std::printf("dashboard screenshot: %s\n", screenshot.string().c_str());

  EXPECT_EQ(ui.terminate(), 0);  // SIGTERM stops it cleanly
}

}  // namespace
}  // namespace tinymlops

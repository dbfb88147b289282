// examples/pipeline as the README walks through it, with the real binary on PATH:
// init, add, repro, exp run -S, exp show, model register, promote (refused, then
// passed), lineage, gc keeping what the registry and the lock reference.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_util.h"
#include "tinymlops/core/file_io.h"

namespace tinymlops {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
constexpr auto run = testing::run_cli_ok;
using testing::TempDir;

using testing::ScopedCwd;
using testing::ScopedPath;

nlohmann::json json_file(const fs::path& path) { return nlohmann::json::parse(read_file(path)); }

TEST(ExamplePipeline, FromTrackedDataToAGatedVerifiedModel) {
  TempDir project;
  fs::copy(testing::source_dir() / "examples/pipeline", project.path(), fs::copy_options::recursive);
  fs::create_directories(project.path() / "data");
  fs::copy_file(testing::source_dir() / "examples/data/digits.csv", project.path() / "data/digits.csv");
  ScopedCwd cwd(project.path());
  ScopedPath path;

  run({"init"});
  run({"add", "data/digits.csv"});
  CommandResult first = run({"repro"});
  EXPECT_NE(first.out.find("6 ran"), std::string::npos) << first.out;
  // The int8 model: accurate on the held-out rows, bit-exact on the Cortex-M4.
  EXPECT_GE(json_file("metrics/test.json")["accuracy"].get<double>(), 0.93);
  const nlohmann::json device = json_file("metrics/device.json");
  EXPECT_EQ(device["target"], "cortex-m4");
  EXPECT_EQ(device["integer_mismatched_rows"], 0);
  EXPECT_TRUE(fs::exists("firmware/digits/library.properties"));
  EXPECT_TRUE(fs::exists("plots/train_history.csv"));
  EXPECT_NE(run({"repro"}).out.find("6 up to date"), std::string::npos);

  // A weak experiment is recorded, registered and refused by the gate.
  run({"exp", "run", "-S", "train.epochs=1", "-S", "train.hidden=8", "--name", "weak"});
  run({"model", "register", "digits", "models/digits-int8.tdm", "--from-exp", "weak"});
  CommandResult refused = testing::run_cli({"model", "promote", "digits", "1", "--to", "production"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("gate \"accuracy >= 0.95\" failed"), std::string::npos) << refused.err;

  // Back to the base parameters: every stage is restored from the run cache.
  CommandResult base = run({"exp", "run", "-S", "train.epochs=40", "-S", "train.hidden=64,32", "--name", "base"});
  EXPECT_NE(base.out.find("Stage 'train' restored from run cache"), std::string::npos) << base.out;
  run({"model", "register", "digits", "models/digits-int8.tdm", "--from-exp", "base"});
  CommandResult promoted = run({"model", "promote", "digits", "2", "--to", "production"});
  EXPECT_NE(promoted.out.find("promoted digits@2 to production"), std::string::npos) << promoted.out;

  const nlohmann::json experiments = nlohmann::json::parse(run({"exp", "show", "--json"}).out);
  ASSERT_EQ(experiments.size(), 2u);
  EXPECT_EQ(experiments[0]["name"], "weak");
  EXPECT_EQ(experiments[1]["params"]["train.epochs"], 40);
  const std::string lineage = run({"model", "lineage", "digits:production"}).out;
  EXPECT_NE(lineage.find("stage       quantize (wrote models/digits-int8.tdm)"), std::string::npos) << lineage;
  EXPECT_NE(lineage.find("data/digits.csv"), std::string::npos) << lineage;

  // gc keeps the registered weak model (no longer in the workspace) and what the
  // run cache names: a deleted output comes back from the cache.
  run({"gc"});
  const std::string weak = nlohmann::json::parse(run({"model", "versions", "digits", "--json"}).out)[0]["sha256"];
  EXPECT_TRUE(fs::exists(".tinymlops/cache/" + weak.substr(0, 2) + "/" + weak.substr(2))) << weak;
  fs::remove("models/digits.tmlm");
  CommandResult again = run({"repro"});
  EXPECT_NE(again.out.find("Stage 'train' restored from run cache"), std::string::npos) << again.out;
}

}  // namespace
}  // namespace tinymlops

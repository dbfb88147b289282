// End-to-end tests of `tinymlops exp`, `metrics diff` and `model` in a project
// directory, against SQLite and against a real PostgreSQL server.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "postgres_server.h"
#include "cli_expect.h"
#include "test_util.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/core/hash.h"
#include "tinymlops/store/repository.h"
#include "tinymlops/track/experiment_store.h"

namespace tinymlops {
namespace {

using testing::expect_one_line_error;
namespace fs = std::filesystem;
using testing::CommandResult;
using testing::TempDir;

enum class Backend { kSqlite, kPostgres };

// Commands find their project from the working directory.
using testing::ScopedCwd;



class TrackCli : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    tracking_ = "sqlite";
    if (GetParam() == Backend::kPostgres) {
      testing::PostgresServer& server = testing::PostgresServer::shared();
      ASSERT_TRUE(server.running()) << server.error();
      tracking_ = server.create_database();
    }
    store::Repository::init(dir_.path());
    write_config({"accuracy >= 0.90", "flash_bytes <= 65536"});
  }

  void write_config(const std::vector<std::string>& gates) {
    std::string yaml = "# tinymlops project configuration\ntracking: \"" + tracking_ + "\"\ngates:\n";
    for (const std::string& gate : gates) yaml += "  - " + gate + "\n";
    dir_.write("tinymlops.yaml", yaml);
  }

  // Records an experiment the way `exp run` will.
  std::string record(const std::string& name, int epochs, double accuracy, const std::string& model_bytes) {
    track::Experiment e;
    e.name = name;
    e.params = {{"train.epochs", epochs}, {"train.lr", 0.01}};
    e.metrics = {{"accuracy", accuracy}, {"flash_bytes", 40000}};
    e.hashes = {{"data/train.csv", to_hex(sha256("rows"))}, {"model.tmlm", to_hex(sha256(model_bytes))}};
    e.git_commit = "1234567890abcdef";
    e.stage = "train";
    e.status = "success";
    e.duration_seconds = 3;
    return track::open_experiment_store(dir_.path(), tracking_)->record(e);
  }

  CommandResult run(const std::vector<std::string>& args) {
    ScopedCwd cwd(dir_.path() / "sub");
    return testing::run_cli(args);
  }

  TempDir dir_;
  std::string tracking_;

 private:
  bool sub_ = fs::create_directories(dir_.path() / "sub");  // commands run below the root
};

TEST_P(TrackCli, ExpShowSortsAndFormats) {
  std::string a = record("small", 10, 0.91, "m1");
  std::string b = record("big", 20, 0.95, "m2");
  CommandResult table = run({"exp", "show"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.substr(0, table.out.find('\n')),
            "id          name   status   started               duration  train.epochs  train.lr  accuracy  flash_bytes");
  EXPECT_LT(table.out.find(a), table.out.find(b));

  CommandResult sorted = run({"exp", "show", "--sort", "accuracy", "--desc", "--columns", "name,accuracy"});
  ASSERT_EQ(sorted.exit_code, 0) << sorted.err;
  EXPECT_EQ(sorted.out, "name   accuracy\nbig    0.95\nsmall  0.91\n");
  CommandResult csv = run({"exp", "show", "--csv", "--columns", "name,train.epochs"});
  EXPECT_EQ(csv.out, "name,train.epochs\nsmall,10\nbig,20\n");
  CommandResult json = run({"exp", "show", "--json", "--sort", "accuracy", "--desc"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto parsed = nlohmann::json::parse(json.out);
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0]["id"], b);
  EXPECT_EQ(parsed[0]["params"]["train.epochs"], 20);
  expect_one_line_error(run({"exp", "show", "--sort", "f1"}), 2, "--sort: no experiment has a metric or param \"f1\"");
  expect_one_line_error(run({"exp", "show", "--json", "--csv"}), 2, "--json and --csv exclude each other");
}

TEST_P(TrackCli, ExpDiffAndMetricsDiff) {
  std::string a = record("small", 10, 0.95, "m1");
  std::string b = record("big", 20, 0.97, "m2");
  CommandResult diff = run({"exp", "diff", a, "big"});
  ASSERT_EQ(diff.exit_code, 0) << diff.err;
  EXPECT_NE(diff.out.find("params   train.epochs  10"), std::string::npos) << diff.out;
  EXPECT_NE(diff.out.find("+10"), std::string::npos) << diff.out;
  EXPECT_NE(diff.out.find("+0.02"), std::string::npos) << diff.out;
  EXPECT_NE(diff.out.find("hashes   model.tmlm"), std::string::npos) << diff.out;
  CommandResult metrics = run({"metrics", "diff", a, b});
  ASSERT_EQ(metrics.exit_code, 0) << metrics.err;
  EXPECT_EQ(metrics.out.find("params"), std::string::npos) << metrics.out;
  EXPECT_NE(metrics.out.find("metrics  accuracy     0.95        0.97        +0.02\nmetrics  flash_bytes  40000       40000       0\n"), std::string::npos) << metrics.out;
  auto json = nlohmann::json::parse(run({"metrics", "diff", a, b, "--json"}).out);
  EXPECT_EQ(json["rows"][0]["key"], "accuracy");
  expect_one_line_error(run({"exp", "diff", a, "exp-nothere"}), 1,
                        "exp-nothere: no experiment with this id or name");
}

TEST_P(TrackCli, RegisterAliasPromoteAndLineage) {
  std::string good = record("good", 20, 0.95, "good weights");
  fs::path model = dir_.write("model.tmlm", "weak weights");
  fs::path metrics = dir_.write("metrics.json", R"({"accuracy": 0.8712, "flash_bytes": 40000})");
  CommandResult first = run({"model", "register", "kws", model.string(), "--metrics", metrics.string()});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, "registered kws@1 (sha256 " + to_hex(sha256("weak weights")).substr(0, 12) + ", 12 bytes)\n");
  dir_.write("model.tmlm", "good weights");
  CommandResult second = run({"model", "register", "kws", model.string(), "--from-exp", good});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("registered kws@2"), std::string::npos);
  EXPECT_NE(second.out.find("from " + good), std::string::npos);

  expect_one_line_error(run({"model", "promote", "kws", "1", "--to", "production"}), 1,
                        "kws@1: gate \"accuracy >= 0.90\" failed: accuracy = 0.8712; not promoted to production");
  CommandResult promoted = run({"model", "promote", "kws", "2", "--to", "production"});
  ASSERT_EQ(promoted.exit_code, 0) << promoted.err;
  EXPECT_EQ(promoted.out,
            "gate \"accuracy >= 0.90\" passed: accuracy = 0.95\n"
            "gate \"flash_bytes <= 65536\" passed: flash_bytes = 40000\n"
            "promoted kws@2 to production (new)\n");
  CommandResult alias = run({"model", "alias", "kws", "1", "staging"});
  EXPECT_EQ(alias.out, "kws:staging -> 1 (new)\n");
  EXPECT_EQ(run({"model", "alias", "kws", "2", "staging"}).out, "kws:staging -> 2 (was 1)\n");

  CommandResult list = run({"model", "list"});
  EXPECT_EQ(list.out, "name  versions  latest  aliases\nkws   2         2       production=2 staging=2\n");
  CommandResult versions = run({"model", "versions", "kws"});
  ASSERT_EQ(versions.exit_code, 0) << versions.err;
  EXPECT_NE(versions.out.find("production,staging"), std::string::npos) << versions.out;
  EXPECT_NE(versions.out.find("accuracy=0.8712 flash_bytes=40000"), std::string::npos) << versions.out;

  CommandResult lineage = run({"model", "lineage", "kws:production"});
  ASSERT_EQ(lineage.exit_code, 0) << lineage.err;
  for (std::string line : std::vector<std::string>{"model       kws@2 (production, staging)", "experiment  " + good + " (good), success",
                           "git commit  1234567890abcdef", "stage       train (wrote model.tmlm)",
                           "  train.epochs  20", "registered  " , "from model.tmlm\n", "  data/train.csv  " + to_hex(sha256("rows")),
                           "production: - -> 2 (promote)", "staging: 1 -> 2 (alias)"}) {
    EXPECT_NE(lineage.out.find(line), std::string::npos) << "missing '" << line << "' in:\n" << lineage.out;
  }
  auto json = nlohmann::json::parse(run({"model", "lineage", "kws@1", "--json"}).out);
  EXPECT_EQ(json["model"]["version"], 1);
  EXPECT_TRUE(json["experiment"].is_null());
}

TEST_P(TrackCli, BadInputGivesOneLineErrors) {
  dir_.write("model.tmlm", "w");
  fs::path metrics = dir_.write("metrics.json", R"({"accuracy": 0.95})");
  ASSERT_EQ(run({"model", "register", "kws", (dir_.path() / "model.tmlm").string(), "--metrics", metrics.string()}).exit_code, 0);
  expect_one_line_error(run({"model", "promote", "kws", "1"}), 1,
                        "kws@1: gate \"flash_bytes <= 65536\" failed: no metric \"flash_bytes\" (recorded: accuracy)");
  write_config({"accuracy >== 0.9"});
  expect_one_line_error(run({"model", "promote", "kws", "1"}), 1,
                        "tinymlops.yaml: gates[0]: cannot parse gate \"accuracy >== 0.9\"");
  expect_one_line_error(run({"model", "versions", "nope"}), 1, "nope: no model registered under this name");
  expect_one_line_error(run({"model", "lineage", "kws@0"}), 2, "kws@0: the version after '@' must be a positive whole number");
  expect_one_line_error(run({"model", "register", "kws", "missing.tmlm"}), 1, "missing.tmlm: no such file");
  expect_one_line_error(run({"model", "alias", "kws", "1", "bad alias"}), 2, "invalid alias");
  expect_one_line_error(run({"model", "promote", "kws"}), 2, "version");
  dir_.write("tinymlops.yaml", "tracking: mysql://x\n");
  expect_one_line_error(run({"exp", "show"}), 1, "tinymlops.yaml:1:11: 'tracking' must be sqlite or a postgresql:// URL, not 'mysql://x'");
  dir_.write("tinymlops.yaml", "gates: accuracy >= 0.9\n");
  expect_one_line_error(run({"model", "promote", "kws", "1"}), 1, "tinymlops.yaml:1:8: 'gates' must be a list of expressions");
}

INSTANTIATE_TEST_SUITE_P(Backends, TrackCli, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param == Backend::kSqlite ? std::string("Sqlite") : std::string("Postgres");
                         });

TEST(TrackCliProject, OutsideAProjectIsAUsageErrorNamingTheFix) {
  TempDir empty;
  ScopedCwd cwd(empty.path());
  expect_one_line_error(testing::run_cli({"exp", "show"}), 2, "not inside a tinymlops project");
  expect_one_line_error(testing::run_cli({"model", "list"}), 2, "run `tinymlops init`");
}

}  // namespace
}  // namespace tinymlops

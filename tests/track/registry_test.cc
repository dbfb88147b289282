// The model registry, run against SQLite and PostgreSQL: versions, the kept copy,
// aliases and their history, gated promotion, lineage.
#include <gtest/gtest.h>

#include <algorithm>

#include "backend_fixture.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/core/hash.h"
#include "tinymlops/track/registry.h"
#include "tinymlops/track/report.h"

namespace tinymlops {
namespace {

using testing::error_of;

using testing::Backend;
using testing::BackendTest;
namespace fs = std::filesystem;

class RegistryTest : public BackendTest {
 protected:
  fs::path write(const std::string& name, const std::string& content) {
    fs::path file = root() / name;
    fs::create_directories(file.parent_path());
    write_file_atomic(file, content);
    return file;
  }

  track::ModelVersion register_with(const std::string& accuracy_json, const std::string& model = "kws") {
    auto store = open();
    fs::path metrics = write("metrics.json", "{\"accuracy\": " + accuracy_json + ", \"size\": {\"flash_bytes\": 40000}}");
    return track::register_model(*store, repo(), {model, write("model.tmlm", "weights " + accuracy_json), metrics, ""});
  }
};

TEST_P(RegistryTest, RegisterNumbersVersionsAndKeepsACopy) {
  track::ModelVersion first = register_with("0.91");
  track::ModelVersion second = register_with("0.93");
  EXPECT_EQ(first.version, 1);
  EXPECT_EQ(second.version, 2);
  EXPECT_EQ(second.sha256, to_hex(sha256("weights 0.93")));
  EXPECT_EQ(second.size_bytes, 12);
  EXPECT_EQ(second.source_path, "model.tmlm");  // relative to the project root
  // The bytes are in the project's cache, and gc keeps them: the registry references them.
  repo().restore(second.sha256, root() / "restored.tmlm");
  EXPECT_EQ(read_file(root() / "restored.tmlm"), "weights 0.93");
  const std::vector<std::string> kept = repo().references()["registry"];
  EXPECT_NE(std::find(kept.begin(), kept.end(), second.sha256), kept.end());
  EXPECT_NE(std::find(kept.begin(), kept.end(), first.sha256), kept.end());
  EXPECT_EQ(second.metrics.dump(), R"({"accuracy":0.93,"size.flash_bytes":40000})");  // flattened

  auto store = open();
  auto versions = store->model_versions("kws");
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].sha256, to_hex(sha256("weights 0.91")));
  EXPECT_EQ(versions[1].metrics.dump(), second.metrics.dump());
  EXPECT_EQ(versions[1].registered_at, second.registered_at);
  register_with("0.91", "another");  // the same bytes as kws@1
  EXPECT_EQ(track::registered_hashes(*store),
            (std::vector<std::string>{std::min(first.sha256, second.sha256), std::max(first.sha256, second.sha256)}));
  EXPECT_EQ(store->model_names(), (std::vector<std::string>{"another", "kws"}));
  EXPECT_EQ(render_text(track::models_table(*store)),
            "name     versions  latest  aliases\n"
            "another  1         1       -\n"
            "kws      2         2       -\n");
}

TEST_P(RegistryTest, RegisterFromAnExperimentTakesItsMetricsAndTheFileOverrides) {
  auto store = open();
  track::Experiment e;
  e.name = "run1";
  e.metrics = {{"accuracy", 0.9}, {"loss", 0.3}};
  std::string id = store->record(e);
  fs::path model = write("model.tmlm", "bytes");
  auto from_exp = track::register_model(*store, repo(), {"kws", model, "", "run1"});
  EXPECT_EQ(from_exp.experiment_id, id);
  EXPECT_EQ(from_exp.metrics.dump(), R"({"accuracy":0.9,"loss":0.3})");
  auto both = track::register_model(*store, repo(), {"kws", model, write("m.json", R"({"loss": 0.25})"), id});
  EXPECT_EQ(both.metrics.dump(), R"({"accuracy":0.9,"loss":0.25})");
}

TEST_P(RegistryTest, RegisterRefusesBadInputNamingIt) {
  auto store = open();
  fs::path model = write("model.tmlm", "bytes");
  EXPECT_EQ(error_of([&] { track::register_model(*store, repo(), {"kws", root() / "missing.tmlm", "", ""}); }),
            (root() / "missing.tmlm").string() + ": no such file");
  EXPECT_EQ(error_of([&] { track::register_model(*store, repo(), {"kws", model, "", "exp-nothere"}); }),
            "exp-nothere: no experiment with this id or name (see `tinymlops exp show`)");
  fs::path bad = write("bad.json", "{\n  \"accuracy\": 0.9,\n  oops\n}");
  EXPECT_EQ(error_of([&] { track::register_model(*store, repo(), {"kws", model, bad, ""}); }),
            bad.string() + ":3:3: invalid JSON in the metrics file");
  EXPECT_NE(error_of([&] { track::register_model(*store, repo(), {"bad name", model, "", ""}); }).find("invalid model name"),
            std::string::npos);
  EXPECT_EQ(error_of([&] { store->model_versions("kws"); }),
            "kws: no model registered under this name (see `tinymlops model list`)");
}

TEST_P(RegistryTest, AliasesMoveAndEveryMoveIsRecorded) {
  register_with("0.91");
  register_with("0.92");
  auto store = open();
  auto move = store->set_alias("kws", "staging", 1, "alias");
  EXPECT_EQ(move.from_version, 0);
  move = store->set_alias("kws", "staging", 2, "alias");
  EXPECT_EQ(move.from_version, 1);
  store->set_alias("kws", "canary", 2, "alias");
  EXPECT_EQ(store->alias_version("kws", "staging"), 2);
  EXPECT_EQ(store->model_version("kws", 2).aliases, (std::vector<std::string>{"canary", "staging"}));
  EXPECT_TRUE(store->model_version("kws", 1).aliases.empty());
  auto moves = store->alias_moves("kws");
  ASSERT_EQ(moves.size(), 3u);
  EXPECT_EQ(moves[1].alias, "staging");
  EXPECT_EQ(moves[1].from_version, 1);
  EXPECT_EQ(moves[1].to_version, 2);
  EXPECT_EQ(moves[1].via, "alias");
  EXPECT_EQ(error_of([&] { store->set_alias("kws", "staging", 7, "alias"); }),
            "kws@7: no such version (see `tinymlops model versions kws`)");
  EXPECT_EQ(store->alias_version("kws", "staging"), 2);
  EXPECT_EQ(error_of([&] { store->alias_version("kws", "production"); }), "kws:production: no such alias");
  auto table = render_text(track::versions_table(store->model_versions("kws")));
  EXPECT_NE(table.find("canary,staging"), std::string::npos) << table;
}

TEST_P(RegistryTest, PromoteRefusesNamingTheFailingGateAndLeavesTheAlias) {
  register_with("0.8712");
  auto store = open();
  std::vector<std::string> gates = {"size.flash_bytes <= 65536", "accuracy >= 0.90"};
  EXPECT_EQ(error_of([&] { track::promote_model(*store, "kws", 1, "production", gates); }),
            "kws@1: gate \"accuracy >= 0.90\" failed: accuracy = 0.8712; not promoted to production");
  EXPECT_TRUE(store->alias_moves("kws").empty());
  EXPECT_EQ(error_of([&] { track::promote_model(*store, "kws", 1, "production", {"drop_vs_float <= 0.01", "accuracy > 0.95"}); }),
            "kws@1: gate \"drop_vs_float <= 0.01\" failed: no metric \"drop_vs_float\" "
            "(recorded: accuracy, size.flash_bytes) (and 1 more failed gate); not promoted to production");
  EXPECT_EQ(error_of([&] { track::promote_model(*store, "kws", 1, "production", {"accuracy >= ninety"}, "tinymlops.yaml: gates"); }),
            "tinymlops.yaml: gates[0]: cannot parse gate \"accuracy >= ninety\": \"ninety\" is not a number "
            "(expected METRIC OP NUMBER with OP one of >=, <=, >, <, ==, !=)");
  EXPECT_EQ(error_of([&] { track::promote_model(*store, "kws", 3, "production", {}); }),
            "kws@3: no such version (see `tinymlops model versions kws`)");
}

TEST_P(RegistryTest, PromotePassingMovesTheAlias) {
  register_with("0.91");
  register_with("0.95");
  auto store = open();
  std::vector<std::string> gates = {"accuracy >= 0.90", "size.flash_bytes <= 65536"};
  track::Promotion first = track::promote_model(*store, "kws", 1, "production", gates);
  ASSERT_EQ(first.gates.size(), 2u);
  EXPECT_EQ(first.gates[0].message, "gate \"accuracy >= 0.90\" passed: accuracy = 0.91");
  EXPECT_EQ(first.gates[1].message, "gate \"size.flash_bytes <= 65536\" passed: size.flash_bytes = 40000");
  EXPECT_EQ(first.move.from_version, 0);
  track::Promotion second = track::promote_model(*store, "kws", 2, "production", gates);
  EXPECT_EQ(second.move.from_version, 1);
  EXPECT_EQ(open()->alias_version("kws", "production"), 2);
  EXPECT_EQ(open()->alias_moves("kws").back().via, "promote");
}

TEST_P(RegistryTest, LineageTracesAVersionToItsExperiment) {
  auto store = open();
  fs::path model = write("out/model.tmlm", "trained weights");
  track::Experiment e;
  e.name = "baseline";
  e.params = {{"train.epochs", 20}};
  e.metrics = {{"accuracy", 0.97}};
  e.hashes = {{"data/train.csv", to_hex(sha256("rows"))}, {"out/model.tmlm", to_hex(sha256("trained weights"))}};
  e.git_commit = "abc123";
  e.stage = "train";
  e.status = "success";
  std::string id = store->record(e);
  track::register_model(*store, repo(), {"kws", model, "", id});
  store->set_alias("kws", "production", 1, "alias");

  for (const char* ref : {"kws", "kws@1", "kws:production"}) {
    track::Lineage lineage = track::model_lineage(*store, track::parse_model_ref(ref));
    EXPECT_EQ(lineage.model.version, 1) << ref;
    ASSERT_TRUE(lineage.experiment.has_value());
    EXPECT_EQ(lineage.experiment->id, id);
    EXPECT_EQ(lineage.produced_as, "out/model.tmlm");
  }
  std::string text = track::render_lineage(track::model_lineage(*store, track::parse_model_ref("kws:production")));
  for (std::string line : std::vector<std::string>{"model       kws@1 (production)", "sha256      " + to_hex(sha256("trained weights")),
                           "experiment  " + id + " (baseline), success", "git commit  abc123",
                           "stage       train (wrote out/model.tmlm)", "  train.epochs  20",
                           "  data/train.csv  " + to_hex(sha256("rows")), "  accuracy  0.97",
                           "production: - -> 1 (alias)"}) {
    EXPECT_NE(text.find(line), std::string::npos) << "missing '" << line << "' in:\n" << text;
  }
  auto json = track::lineage_json(track::model_lineage(*store, track::parse_model_ref("kws")));
  EXPECT_EQ(json["experiment"]["params"]["train.epochs"], 20);
  EXPECT_EQ(json["model"]["aliases"][0], "production");
  EXPECT_EQ(error_of([&] { track::parse_model_ref("kws@x"); }), "kws@x: the version after '@' must be a positive whole number");
  EXPECT_EQ(error_of([&] { track::model_lineage(*store, track::parse_model_ref("kws:staging")); }),
            "kws:staging: no such alias");
}

INSTANTIATE_TEST_SUITE_P(Backends, RegistryTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::backend_name);

}  // namespace
}  // namespace tinymlops

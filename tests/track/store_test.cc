// The experiment store, run against SQLite and PostgreSQL: record/list/get, errors,
// schema versioning, concurrent writers.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <thread>

#include "backend_fixture.h"
#include "tinymlops/core/error.h"
#include "tinymlops/track/registry.h"

namespace tinymlops {
namespace {

using testing::error_of;

using testing::Backend;
using testing::BackendTest;
using track::Experiment;

Experiment make_experiment(const std::string& name, double accuracy, int epochs) {
  Experiment e;
  e.name = name;
  e.params = {{"train.epochs", epochs}, {"train.lr", 0.01}, {"model", "dense"}};
  e.metrics = {{"accuracy", accuracy}, {"loss", 0.1 + 0.2}};
  e.hashes = {{"data/train.csv", std::string(64, 'a')}, {"model.tmlm", std::string(64, 'b')}};
  e.git_commit = "0123456789abcdef0123456789abcdef01234567";
  e.started_at = "2024-05-01T12:00:00Z";
  e.duration_seconds = 1.25;
  e.status = "success";
  e.stage = "train";
  return e;
}

class StoreTest : public BackendTest {};

TEST_P(StoreTest, RecordsListsAndGetsEveryField) {
  auto store = open();
  EXPECT_TRUE(store->list().empty());
  std::string first = store->record(make_experiment("baseline", 0.91, 10));
  Experiment anonymous = make_experiment("", 0.95, 20);
  anonymous.started_at.clear();
  std::string second = store->record(anonymous);
  EXPECT_TRUE(std::regex_match(first, std::regex("exp-[0-9a-f]{6}"))) << first;
  EXPECT_NE(first, second);

  auto all = open()->list();  // another connection sees the committed rows
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, first);
  EXPECT_EQ(all[1].id, second);
  EXPECT_EQ(all[1].name, second);  // name defaults to the id
  EXPECT_TRUE(std::regex_match(all[1].started_at, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));

  Experiment got = store->get("baseline");
  Experiment expected = make_experiment("baseline", 0.91, 10);
  EXPECT_EQ(got.id, first);
  EXPECT_EQ(got.params.dump(), expected.params.dump());  // order and values kept
  EXPECT_EQ(got.metrics["loss"].get<double>(), 0.1 + 0.2);  // every bit
  EXPECT_EQ(got.metrics.dump(), expected.metrics.dump());
  EXPECT_EQ(got.hashes.dump(), expected.hashes.dump());
  EXPECT_EQ(got.git_commit, expected.git_commit);
  EXPECT_EQ(got.started_at, expected.started_at);
  EXPECT_EQ(got.duration_seconds, 1.25);
  EXPECT_EQ(got.status, "success");
  EXPECT_EQ(got.stage, "train");
  EXPECT_EQ(store->get(second).metrics["accuracy"].get<double>(), 0.95);
}

TEST_P(StoreTest, UnknownAmbiguousAndDuplicateIdsAreErrors) {
  auto store = open();
  EXPECT_EQ(error_of([&] { store->get("exp-000000"); }),
            "exp-000000: no experiment with this id or name (see `tinymlops exp show`)");
  std::string a = store->record(make_experiment("same", 0.1, 1));
  std::string b = store->record(make_experiment("same", 0.2, 2));
  EXPECT_EQ(error_of([&] { store->get("same"); }), "same: the name of 2 experiments (" + a + ", " + b + "); give an id");
  Experiment again = make_experiment("x", 0.3, 3);
  again.id = a;
  EXPECT_EQ(error_of([&] { store->record(again); }), a + ": an experiment with this id is already recorded");
  EXPECT_EQ(store->list().size(), 2u);  // the refused write left nothing behind
}

TEST_P(StoreTest, SchemaIsCreatedOnceAndANewerOneIsRefused) {
  open()->record(make_experiment("kept", 0.5, 5));
  EXPECT_EQ(open()->list().size(), 1u);  // reopening keeps the data
  raw_sql("UPDATE schema_version SET version = 99");
  std::string message = error_of([&] { open(); });
  EXPECT_NE(message.find("experiment store schema version 99 is newer than this tinymlops reads (1)"),
            std::string::npos)
      << message;
}

TEST_P(StoreTest, ConcurrentWritersLoseNoRows) {
  constexpr int kPerWriter = 25;
  auto write = [&](int writer) {
    auto store = open();
    for (int i = 0; i < kPerWriter; ++i) store->record(make_experiment("w" + std::to_string(writer), i, i));
    for (int i = 0; i < 5; ++i) {
      track::ModelVersion v;
      v.name = "shared";
      v.sha256 = std::string(64, 'c');
      v.source_path = "m" + std::to_string(writer);
      store->add_model_version(v);
    }
  };
  open();  // the schema exists before the race
  std::thread first(write, 1), second(write, 2);
  first.join();
  second.join();
  auto store = open();
  auto all = store->list();
  ASSERT_EQ(all.size(), 2u * kPerWriter);
  std::set<std::string> ids;
  for (const Experiment& e : all) ids.insert(e.id);
  EXPECT_EQ(ids.size(), all.size());
  auto versions = store->model_versions("shared");
  ASSERT_EQ(versions.size(), 10u);
  for (size_t i = 0; i < versions.size(); ++i) EXPECT_EQ(versions[i].version, static_cast<int64_t>(i + 1));
}

TEST_P(StoreTest, ConcurrentFirstOpensCreateTheSchemaOnce) {
  std::thread first([&] { open()->record(make_experiment("a", 1, 1)); });
  std::thread second([&] { open()->record(make_experiment("b", 2, 2)); });
  first.join();
  second.join();
  EXPECT_EQ(open()->list().size(), 2u);
}

TEST(OpenStore, TrackingSettingPicksTheBackendAndBadOnesAreNamed) {
  testing::TempDir dir;
  track::open_experiment_store(dir.path(), "sqlite")->record(make_experiment("a", 1, 1));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / ".tinymlops" / "experiments.db"));
  EXPECT_EQ(track::open_experiment_store(dir.path(), "")->list().size(), 1u);  // "" is sqlite too
  EXPECT_EQ(error_of([&] { track::open_experiment_store(dir.path(), "mysql://db"); }),
            "tracking: expected \"sqlite\" or a postgresql:// URL, got \"mysql://db\"");
  // An unreachable server is an I/O error; the password never shows.
  std::string url = "postgresql://ml:secret@/tinymlops?host=" + (dir.path() / "nosocket").string();
  std::string message = error_of([&] { track::open_experiment_store(dir.path(), url); });
  EXPECT_EQ(message.rfind("postgresql://ml:***@/tinymlops?host=", 0), 0u) << message;
  EXPECT_NE(message.find(": cannot connect to PostgreSQL: "), std::string::npos) << message;
  EXPECT_EQ(message.find("secret"), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::backend_name);

}  // namespace
}  // namespace tinymlops

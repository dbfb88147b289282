// The dashboard's data and server without the binary: per-round federated metrics
// as curves, a missing cached plot, a busy port. dashboard_cli_test.cc covers the
// dashboard over a project made by the real binary, and the page in Chromium.
#include <gtest/gtest.h>

#include "test_util.h"
#include "tinymlops/core/error.h"
#include "tinymlops/serve/dashboard.h"
#include "tinymlops/serve/dashboard_server.h"
#include "tinymlops/store/repository.h"
#include "tinymlops/track/experiment_store.h"

namespace tinymlops {
namespace {

using testing::TempDir;
using Json = nlohmann::ordered_json;

TEST(DashboardCurves, PerRoundMetricsBecomeACurveAndLeaveTheTable) {
  TempDir dir;
  store::Repository::init(dir.path());
  auto store = track::open_experiment_store(dir.path(), "sqlite");
  track::Experiment e;
  e.name = "fedavg";
  e.status = "success";
  e.metrics = {{"round.1.accuracy", 0.5}, {"round.1.train_loss", 1.2}, {"round.2.accuracy", 0.7},
               {"round.10.accuracy", 0.9}, {"accuracy", 0.9}};
  store->record(e);
  serve::DashboardData data(dir.path());
  EXPECT_EQ(data.experiments()["metrics"], Json({"accuracy"}));
  const Json doc = data.curves();
  ASSERT_EQ(doc["curves"].size(), 1u);
  const Json& curve = doc["curves"][0];
  EXPECT_EQ(curve["x_name"], "round");
  EXPECT_EQ(curve["x"], Json({1.0, 2.0, 10.0}));
  EXPECT_EQ(curve["series"][0]["name"], "accuracy");
  EXPECT_EQ(curve["series"][0]["y"], Json({0.5, 0.7, 0.9}));
  EXPECT_EQ(curve["series"][1]["name"], "train_loss");
  EXPECT_TRUE(curve["series"][1]["y"][1].is_number());  // NaN: no value in round 2 ...
  EXPECT_EQ(Json::parse(curve.dump())["series"][1]["y"][1], nullptr);  // ... written as null
}

TEST(DashboardCurves, AMissingCachedPlotIsAWarningNamingIt) {
  TempDir dir;
  store::Repository::init(dir.path());
  dir.write("pipeline.yaml", "stages:\n  train:\n    cmd: 'true'\n    plots: [curve.csv]\n");
  auto store = track::open_experiment_store(dir.path(), "sqlite");
  track::Experiment e;
  e.id = "exp-000001";
  e.hashes = {{"curve.csv", std::string(64, 'a')}};
  store->record(e);
  const Json doc = serve::DashboardData(dir.path()).curves();
  EXPECT_EQ(doc["curves"], Json::array());
  ASSERT_EQ(doc["warnings"].size(), 1u);
  EXPECT_EQ(doc["warnings"][0], "exp-000001: curve.csv: object aaaaaaaaaaaa is not in the cache");
}

TEST(DashboardServer, ABusyPortIsAnErrorNamingIt) {
  TempDir dir;
  store::Repository::init(dir.path());
  serve::DashboardServer first({.project_root = dir.path(), .host = "127.0.0.1", .port = 0});
  const int port = first.start();
  serve::DashboardServer second({.project_root = dir.path(), .host = "127.0.0.1", .port = port});
  try {
    second.start();
    FAIL() << "bound a busy port";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIo);
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(port)), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tinymlops

// FedProx's proximal weight reaches the clients whoever runs the server:
// finalize_server_config (fl/server.h) copies strategy.proximal_mu into the
// clients' local config; FlServer and the jobs apply it.
#include <gtest/gtest.h>

#include "fl_test_util.h"
#include "tinymlops/fl/server.h"
#include "tinymlops/fl/simulate_job.h"
#include "tinymlops/store/repository.h"
#include "tinymlops/track/experiment_store.h"

namespace tinymlops::fl {
namespace {

using tinymlops::testing::ScopedCwd;
using tinymlops::testing::TempDir;

ServerConfig fedprox(double mu) {
  ServerConfig config;
  config.strategy.kind = StrategyKind::kFedProx;
  config.strategy.proximal_mu = mu;
  config.local.proximal_mu = 0;
  return config;
}

TEST(FedProxMu, FinalizingCopiesTheStrategysMuIntoTheLocalConfig) {
  ServerConfig config = fedprox(0.05);
  finalize_server_config(config);
  EXPECT_DOUBLE_EQ(config.local.proximal_mu, 0.05);
  finalize_server_config(config);  // twice: no change
  EXPECT_DOUBLE_EQ(config.local.proximal_mu, 0.05);
  EXPECT_DOUBLE_EQ(config.strategy.proximal_mu, 0.05);
}

TEST(FedProxMu, OtherStrategiesKeepTheirLocalMu) {
  for (StrategyKind kind : {StrategyKind::kFedAvg, StrategyKind::kFedAdam, StrategyKind::kMedian}) {
    ServerConfig config;
    config.strategy.kind = kind;
    config.strategy.proximal_mu = 0.05;
    config.local.proximal_mu = 0.2;
    finalize_server_config(config);
    EXPECT_DOUBLE_EQ(config.local.proximal_mu, 0.2) << strategy_name(kind);
  }
}

TEST(FedProxMu, TheServerSendsItToTheClients) {
  const Dataset data = testing::digits();
  ServerConfig config = fedprox(0.05);
  config.min_clients = 2;
  config.min_updates = 1;
  FlServer server(testing::digits_model(data), config, std::nullopt, [] { return 0.0; });
  const Registration a = server.register_client("a", ""), b = server.register_client("b", "");
  server.advance();
  for (const Registration& reg : {a, b}) {
    const RoundTask task = server.task_for(reg.client_id);
    ASSERT_EQ(task.state, TaskState::kTrain);
    EXPECT_DOUBLE_EQ(task.local.proximal_mu, 0.05);
  }
}

TEST(FedProxMu, TheSimulationJobRecordsTheMuTheClientsTrainedWith) {
  TempDir dir;
  store::Repository repo = store::Repository::init(dir.path());
  ScopedCwd cwd(dir.path());
  SimulateJob job;
  job.source.data = (tinymlops::testing::source_dir() / "examples/data/digits.csv").string();
  job.source.label = "digit";
  job.source.hidden = {8};
  job.simulation.clients = 4;
  job.simulation.server = fedprox(0.05);
  job.simulation.server.rounds = 1;
  job.simulation.server.local.batch_size = 32;
  SimulateOutcome outcome = run_simulation_job(job, {});
  ASSERT_FALSE(outcome.experiment_id.empty());
  auto experiments = track::open_experiment_store(repo.root(), "sqlite");
  const track::Experiment e = experiments->get(outcome.experiment_id);
  EXPECT_EQ(e.params["fl.strategy"], "fedprox");
  EXPECT_DOUBLE_EQ(e.params["fl.proximal_mu"].get<double>(), 0.05);
}

}  // namespace
}  // namespace tinymlops::fl

#include "tinymlops/fl/simulate_job.h"

#include <gtest/gtest.h>

#include "fl_test_util.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/nn/model_file.h"
#include "tinymlops/store/repository.h"
#include "tinymlops/track/experiment_store.h"

namespace tinymlops::fl {
namespace {

using tinymlops::testing::ScopedCwd;
using tinymlops::testing::TempDir;

SimulateJob small_job(const std::filesystem::path& dir) {
  SimulateJob job;
  job.source.data = (tinymlops::testing::source_dir() / "examples/data/digits.csv").string();
  job.source.label = "digit";
  job.source.hidden = {16};
  job.simulation.clients = 10;
  job.simulation.server.rounds = 3;
  job.simulation.server.local.batch_size = 10;
  job.out = (dir / "global.tmlm").string();
  job.rounds_csv = (dir / "rounds.csv").string();
  return job;
}

TEST(FlWorkflow, ASimulationInsideAProjectIsRecordedAsAnExperiment) {
  TempDir dir;
  store::Repository repo = store::Repository::init(dir.path());
  ScopedCwd cwd(dir.path());
  SimulateOutcome outcome = run_simulation_job(small_job(dir.path()), {});
  ASSERT_FALSE(outcome.experiment_id.empty());

  auto experiments = track::open_experiment_store(repo.root(), "sqlite");
  track::Experiment e = experiments->get(outcome.experiment_id);
  EXPECT_EQ(e.params["fl.clients"], 10);
  EXPECT_EQ(e.params["fl.strategy"], "fedavg");
  EXPECT_EQ(e.metrics["rounds"], 3);
  EXPECT_DOUBLE_EQ(e.metrics["accuracy"].get<double>(), outcome.result.final_accuracy);
  EXPECT_DOUBLE_EQ(e.metrics["round.2.accuracy"].get<double>(), outcome.result.rounds[1].accuracy);
  EXPECT_EQ(e.hashes.size(), 1u);  // the final model file
  EXPECT_NE(read_file(dir.path() / "rounds.csv").find("\n3,1,"), std::string::npos);
  EXPECT_NO_THROW(load_model(dir.path() / "global.tmlm"));
}

TEST(FlWorkflow, OutsideAProjectNothingIsRecorded) {
  TempDir dir;
  ScopedCwd cwd(dir.path());
  EXPECT_EQ(run_simulation_job(small_job(dir.path()), {}).experiment_id, "");
}

TEST(FlWorkflow, InitWritesAnUntrainedModelForTheData) {
  TempDir dir;
  ModelSource source = small_job(dir.path()).source;
  write_initial_model(source, dir.path() / "init.tmlm");
  Model model = load_model(dir.path() / "init.tmlm");
  EXPECT_EQ(model.metadata.class_names.size(), 10u);
  EXPECT_EQ(model.input_shape().size(), 64);
  source.label = "";
  EXPECT_THROW(write_initial_model(source, dir.path() / "x.tmlm"), Error);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "x.tmlm"));
}

}  // namespace
}  // namespace tinymlops::fl

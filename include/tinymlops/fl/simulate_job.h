// The job behind `tinymlops fl simulate`: a federated run in one process
// (fl/simulator.h) over one CSV file, its files written and its experiment
// recorded; plain results for the CLI (or any other caller) to print.
#pragma once

#include <functional>
#include <string>

#include "tinymlops/fl/init_job.h"
#include "tinymlops/fl/simulator.h"

namespace tinymlops::fl {

struct SimulateJob {
  ModelSource source;
  double validation_split = 0.2;   // held out (stratified) as the server's validation set
  SimulationConfig simulation;
  std::string out;                 // final global model file ("" = not written)
  std::string rounds_csv;          // per-round CSV (rounds_csv) ("" = not written)
  bool record = true;              // record an experiment when run inside a tinymlops project
};

struct SimulateOutcome {
  SimulationResult result;
  size_t train_rows = 0, validation_rows = 0;
  std::string experiment_id;       // "" when not recorded
};

// Splits source.data (validation_split held out, seeded by simulation.seed),
// builds the initial model from `source` and runs the simulation with the
// server config finalized (finalize_server_config, fl/server.h); then writes
// `out` and `rounds_csv` and records the run (record_fl_experiment,
// fl/server_job.h). on_round (may be empty) gets every round as it closes.
SimulateOutcome run_simulation_job(const SimulateJob& job, const std::function<void(const RoundRecord&)>& on_round);

}  // namespace tinymlops::fl

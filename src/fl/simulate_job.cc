#include "tinymlops/fl/simulate_job.h"

#include <chrono>

#include "job_support.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/data/split.h"
#include "tinymlops/fl/server_job.h"
#include "tinymlops/nn/model_file.h"

namespace tinymlops::fl {

SimulateOutcome run_simulation_job(const SimulateJob& job, const std::function<void(const RoundRecord&)>& on_round) {
  const auto start = std::chrono::steady_clock::now();
  Dataset data = load_labelled(job.source.data, job.source.label);
  SimulationConfig simulation = job.simulation;
  finalize_server_config(simulation.server);
  SplitIndices split = split_dataset(data, job.validation_split, 0, simulation.seed);
  Dataset train = data.subset(split.train), validation = data.subset(split.validation);
  Model initial = initial_model(train, hidden_dense_specs(job.source.hidden), job.source.normalization, job.source.seed);
  SimulateOutcome outcome;
  outcome.train_rows = train.size();
  outcome.validation_rows = validation.size();
  outcome.result = simulate(std::move(initial), train, validation, simulation, on_round);
  if (!job.out.empty()) save_model(outcome.result.model, job.out);
  if (!job.rounds_csv.empty()) write_file_atomic(job.rounds_csv, rounds_csv(outcome.result.rounds));
  if (job.record) {
    nlohmann::ordered_json params = server_params(simulation.server);
    params["clients"] = simulation.clients;
    params["partition"] = partition_name(simulation.partition);
    params["dropout"] = simulation.dropout;
    params["data"] = job.source.data;
    outcome.experiment_id = record_fl_experiment(params, outcome.result.rounds, job.out, elapsed_since(start));
  }
  return outcome;
}

}  // namespace tinymlops::fl

#include "tinymlops/fl/workflow.h"

#include <chrono>

#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/core/hash.h"
#include "tinymlops/data/split.h"
#include "tinymlops/nn/model_file.h"
#include "tinymlops/nn/workflow.h"
#include "tinymlops/store/repository.h"
#include "tinymlops/track/experiment_store.h"

namespace tinymlops::fl {
namespace {

Dataset load_labelled(const std::string& data, const std::string& label) {
  if (data.empty()) throw Error(ErrorKind::kUsage, "--data", "no data: give --data CSV");
  if (label.empty()) throw Error(ErrorKind::kUsage, "--label", "no target column: give --label COLUMN");
  DatasetOptions options;
  options.label = label;
  return load_dataset(data, options);
}

double elapsed_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

nlohmann::ordered_json server_params(const ServerConfig& c) {
  return {{"rounds", c.rounds},
          {"fraction", c.fraction},
          {"min_clients", c.min_clients},
          {"min_updates", c.min_updates},
          {"strategy", strategy_name(c.strategy.kind)},
          {"local_epochs", c.local.epochs},
          {"batch_size", c.local.batch_size},
          {"learning_rate", c.local.learning_rate},
          {"proximal_mu", c.local.proximal_mu},
          {"encoding", encoding_name(c.encoding)},
          {"dp", c.dp},
          {"seed", c.seed}};
}

}  // namespace

void write_initial_model(const ModelSource& source, const std::filesystem::path& out) {
  Dataset data = load_labelled(source.data, source.label);
  Model model = initial_model(data, hidden_dense_specs(source.hidden), source.normalization, source.seed);
  save_model(model, out);
}

SimulateOutcome run_simulation_job(const SimulateJob& job, const std::function<void(const RoundRecord&)>& on_round) {
  const auto start = std::chrono::steady_clock::now();
  Dataset data = load_labelled(job.source.data, job.source.label);
  SplitIndices split = split_dataset(data, job.validation_split, 0, job.simulation.seed);
  Dataset train = data.subset(split.train), validation = data.subset(split.validation);
  Model initial = initial_model(train, hidden_dense_specs(job.source.hidden), job.source.normalization, job.source.seed);
  SimulateOutcome outcome;
  outcome.train_rows = train.size();
  outcome.validation_rows = validation.size();
  outcome.result = simulate(std::move(initial), train, validation, job.simulation, on_round);
  if (!job.out.empty()) save_model(outcome.result.model, job.out);
  if (!job.rounds_csv.empty()) write_file_atomic(job.rounds_csv, rounds_csv(outcome.result.rounds));
  if (job.record) {
    nlohmann::ordered_json params = server_params(job.simulation.server);
    params["clients"] = job.simulation.clients;
    params["partition"] = partition_name(job.simulation.partition);
    params["dropout"] = job.simulation.dropout;
    params["data"] = job.source.data;
    outcome.experiment_id = record_fl_experiment(params, outcome.result.rounds, job.out, elapsed_since(start));
  }
  return outcome;
}

ServerOutcome run_server_job(const ServerJob& job, const std::function<void(int port)>& on_listening,
                             const std::function<void(const RoundRecord&)>& on_round,
                             const std::function<void(const std::string&)>& on_message) {
  const auto start = std::chrono::steady_clock::now();
  if (job.model.empty()) throw Error(ErrorKind::kUsage, "--model", "no initial model: give --model FILE (tinymlops fl init)");
  Model model = load_model(job.model);
  std::optional<Dataset> validation;
  if (!job.validation.empty()) validation = load_for_model(model.metadata, job.validation, false, true);
  FlServer server(std::move(model), job.config, std::move(validation), [] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  });
  if (!server.history().empty()) {
    on_message("resumed from " + job.config.checkpoint_dir.string() + " at round " + std::to_string(server.current_round()));
  }
  FlHttpServer http(server, job.http);
  on_listening(http.port());
  http.run(
      [&](const RoundRecord& r) {
        if (!job.rounds_csv.empty()) write_file_atomic(job.rounds_csv, rounds_csv(server.history()));
        on_round(r);
      },
      on_message);
  ServerOutcome outcome;
  outcome.rounds = server.history();
  if (!job.out.empty()) write_file_atomic(job.out, server.model_bytes());
  if (job.record) {
    outcome.experiment_id = record_fl_experiment(server_params(job.config), outcome.rounds, job.out, elapsed_since(start));
  }
  return outcome;
}

std::string record_fl_experiment(const nlohmann::ordered_json& params, const std::vector<RoundRecord>& rounds,
                                 const std::string& model_file, double seconds) {
  std::optional<store::Repository> repo;
  try {
    repo = store::Repository::open(std::filesystem::current_path());
  } catch (const Error&) {
    return "";  // not inside a tinymlops project: nothing to record into
  }
  track::Experiment e;
  for (const auto& [key, value] : params.items()) e.params["fl." + key] = value;
  int counted = 0;
  int64_t bytes = 0;
  for (const RoundRecord& r : rounds) {
    const std::string prefix = "round." + std::to_string(r.round) + ".";
    e.metrics[prefix + "accepted"] = r.accepted;
    if (std::isfinite(r.accuracy)) e.metrics[prefix + "accuracy"] = r.accuracy;
    if (std::isfinite(r.train_loss)) e.metrics[prefix + "train_loss"] = r.train_loss;
    if (std::isfinite(r.epsilon)) e.metrics[prefix + "epsilon"] = r.epsilon;
    if (r.counted) {
      ++counted;
      bytes += r.bytes_received;
      if (std::isfinite(r.accuracy)) e.metrics["accuracy"] = r.accuracy;
      if (std::isfinite(r.epsilon)) e.metrics["epsilon"] = r.epsilon;
    }
  }
  e.metrics["rounds"] = static_cast<int>(rounds.size());
  e.metrics["rounds_counted"] = counted;
  e.metrics["bytes_per_round"] = counted ? static_cast<double>(bytes) / counted : 0.0;
  if (!model_file.empty() && std::filesystem::exists(model_file)) e.hashes[model_file] = sha256_file_hex(model_file);
  e.duration_seconds = seconds;
  e.status = "success";
  auto experiments = track::open_experiment_store(repo->root(), repo->config().tracking);
  return experiments->record(std::move(e));
}

}  // namespace tinymlops::fl

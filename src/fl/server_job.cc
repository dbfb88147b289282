#include "tinymlops/fl/server_job.h"

#include <chrono>
#include <cmath>
#include <optional>

#include "job_support.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/core/hash.h"
#include "tinymlops/nn/evaluate_job.h"
#include "tinymlops/nn/model_file.h"
#include "tinymlops/store/repository.h"
#include "tinymlops/track/experiment_store.h"

namespace tinymlops::fl {

ServerOutcome run_server_job(const ServerJob& job, const std::function<void(int port)>& on_listening,
                             const std::function<void(const RoundRecord&)>& on_round,
                             const std::function<void(const std::string&)>& on_message) {
  const auto start = std::chrono::steady_clock::now();
  if (job.model.empty()) throw Error(ErrorKind::kUsage, "--model", "no initial model: give --model FILE (tinymlops fl init)");
  ServerConfig config = job.config;
  finalize_server_config(config);
  Model model = load_model(job.model);
  std::optional<Dataset> validation;
  if (!job.validation.empty()) validation = load_for_model(model.metadata, job.validation, false, true);
  FlServer server(std::move(model), config, std::move(validation), [] {
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
    outcome.experiment_id = record_fl_experiment(server_params(config), outcome.rounds, job.out, elapsed_since(start));
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

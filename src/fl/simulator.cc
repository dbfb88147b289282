#include "tinymlops/fl/simulator.h"

#include "tinymlops/core/error.h"
#include "tinymlops/core/rng.h"
#include "tinymlops/fl/client.h"

namespace tinymlops::fl {

Model initial_model(const Dataset& data, const std::vector<LayerSpec>& body, NormalizationKind normalization,
                    uint64_t seed) {
  if (data.task != Task::kClassification) {
    throw Error(ErrorKind::kUnsupported, data.source, "federated training supports classification for now");
  }
  Model model(Shape{{static_cast<int>(data.feature_names.size())}});
  add_layers(model, body);
  add_layers(model, {{LayerKind::kDense, {{"units", data.class_names.size()}}},
                     {LayerKind::kActivation, {{"function", "softmax"}}}});
  model.build(Initializer::kGlorotUniform, seed);
  ModelMetadata& meta = model.metadata;
  meta.task = data.task;
  meta.feature_names = data.feature_names;
  meta.label_name = data.label_name;
  meta.class_names = data.class_names;
  meta.normalization = fit_normalization(normalization, data.features);
  return model;
}

SimulationResult simulate(Model initial, const Dataset& train, const Dataset& validation,
                          const SimulationConfig& config, const std::function<void(const RoundRecord&)>& on_round) {
  if (config.dropout < 0 || config.dropout >= 1) throw Error(ErrorKind::kUsage, "--dropout", "must be in [0, 1)");
  if (config.clients < config.server.min_clients) {
    throw Error(ErrorKind::kUsage, "--clients", "fewer clients than --min-clients " + std::to_string(config.server.min_clients));
  }
  double now = 0;
  FlServer server(std::move(initial), config.server, validation.size() ? std::optional<Dataset>(validation) : std::nullopt,
                  [&now] { return now; });
  std::vector<std::vector<size_t>> parts = partition_rows(train, config.clients, config.partition, config.seed);
  std::vector<ClientWorker> workers;
  for (int i = 0; i < config.clients; ++i) {
    Registration reg = server.register_client("virtual-" + std::to_string(i), config.server.enrollment_secret);
    workers.emplace_back(reg.client_id, train.subset(parts[static_cast<size_t>(i)]));
  }
  Rng dropouts(config.seed ^ 0xD207u);
  SimulationResult result;
  int64_t counted_bytes = 0;
  int counted = 0;
  while (!server.done()) {
    server.advance();  // opens the round
    const std::string model_bytes = server.model_bytes();
    bool someone_dropped = false;
    for (ClientWorker& worker : workers) {
      RoundTask task = server.task_for(worker.id());
      if (task.state != TaskState::kTrain) continue;
      if (config.dropout > 0 && dropouts.uniform() < config.dropout) {
        someone_dropped = true;
        continue;
      }
      try {
        server.submit(worker.id(), worker.make_update(task, model_bytes));
      } catch (const Error&) {
        // Logged by the server (rejections()); the round goes on without it.
      }
    }
    if (someone_dropped) now += config.server.round_timeout;
    std::optional<RoundRecord> record = server.advance();
    if (!record) throw Error(ErrorKind::kInvalid, "simulator", "a round did not close");  // an invariant
    if (record->counted) {
      ++counted;
      counted_bytes += record->bytes_received;
      result.final_accuracy = record->accuracy;
      if (!result.rounds_to_target && config.server.target_accuracy > 0 && record->accuracy >= config.server.target_accuracy) {
        result.rounds_to_target = static_cast<int>(record->round);
      }
    }
    if (on_round) on_round(*record);
  }
  result.rounds = server.history();
  result.rejections = server.rejections();
  result.mean_bytes_per_round = counted ? static_cast<double>(counted_bytes) / counted : 0;
  result.model = server.global_model();
  return result;
}

}  // namespace tinymlops::fl

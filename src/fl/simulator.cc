#include "tinymlops/fl/simulator.h"

#include "tinymlops/core/error.h"
#include "tinymlops/core/rng.h"
#include "tinymlops/fl/client.h"
#include "tinymlops/fl/secure_aggregation.h"

#include <algorithm>
#include <memory>

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

namespace {

// One round under secure aggregation (fl/secure_aggregation.h): every sampled
// client advertises keys and shares them; the dropped ones vanish before sending
// their masked input; the survivors' unmask answers let the server rebuild the
// sum of [samples * delta, samples], which is all it gets.
void secure_round(FlServer& server, const std::vector<std::pair<ClientWorker*, RoundTask>>& clients,
                  const std::vector<bool>& drops, const std::string& model_bytes, uint64_t seed) {
  if (clients.empty()) return;
  std::vector<Weights> inputs;
  for (const auto& [worker, task] : clients) {
    ClientUpdate u = worker->train_update(task, model_bytes);
    Weights x(u.delta.size() + 1);
    for (size_t j = 0; j < u.delta.size(); ++j) x[j] = u.delta[j] * static_cast<float>(u.samples);
    x.back() = static_cast<float>(u.samples);
    inputs.push_back(std::move(x));
  }
  SecAggParams params;
  params.threshold = static_cast<uint32_t>(std::max<size_t>(2, clients.size() / 2 + 1));
  params.vector_size = inputs[0].size();
  SecAggServer aggregator(params);
  std::vector<std::unique_ptr<SecAggClient>> parties;
  for (size_t i = 0; i < clients.size(); ++i) {
    parties.push_back(std::make_unique<SecAggClient>(static_cast<uint32_t>(i + 1), params,
                                                     seed * 1000003 + clients[i].second.local.seed));
    aggregator.receive_advertise(parties.back()->advertise());
  }
  const auto keys = aggregator.advertisements();
  for (auto& party : parties) aggregator.receive_shares(party->id(), party->share(keys));
  std::vector<std::string> contributors;
  int64_t bytes = 0;
  for (size_t i = 0; i < parties.size(); ++i) {
    if (drops[i]) continue;
    const std::string masked = parties[i]->masked_input(inputs[i], aggregator.shares_for(parties[i]->id()));
    bytes += static_cast<int64_t>(masked.size());
    aggregator.receive_masked_input(masked);
    contributors.push_back(clients[i].first->id());
  }
  if (contributors.size() < params.threshold) return;  // too few survivors: the round will not count
  const UnmaskRequest request = aggregator.unmask_request();
  for (uint32_t id : request.survivors) aggregator.receive_unmask(parties[id - 1]->unmask(request.survivors, request.dropped));
  server.submit_secure_sum(contributors, aggregator.sum(), bytes);
}

}  // namespace

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
    std::vector<std::pair<ClientWorker*, RoundTask>> round_clients;
    std::vector<bool> drops;
    for (ClientWorker& worker : workers) {
      RoundTask task = server.task_for(worker.id());
      if (task.state != TaskState::kTrain) continue;
      round_clients.emplace_back(&worker, task);
      drops.push_back(config.dropout > 0 && dropouts.uniform() < config.dropout);
      someone_dropped = someone_dropped || drops.back();
    }
    if (config.secure_aggregation) {
      secure_round(server, round_clients, drops, model_bytes, config.seed);
    } else {
      for (size_t i = 0; i < round_clients.size(); ++i) {
        if (drops[i]) continue;
        try {
          server.submit(round_clients[i].first->id(), round_clients[i].first->make_update(round_clients[i].second, model_bytes));
        } catch (const Error&) {
          // Logged by the server (rejections()); the round goes on without it.
        }
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

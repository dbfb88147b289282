// Federated learning on digits (docs/federated.md), against the anchor measured
// in the same run: the same model trained centrally on the same rows.
//
//   1. rounds to reach 95% of centralized accuracy: FedAvg, FedProx, FedAdam;
//      100 clients, 10 sampled per round, IID and Dirichlet(0.3)
//   2. FedAvg IID after all rounds vs centralized (the must-show: within 1 pp)
//   3. bytes received per round, float32 vs int8 updates, and the accuracy change
//   4. server aggregation time for 1,000 simulated updates per strategy
//
// usage: fl_bench DIGITS_CSV [ROUNDS]
#include <chrono>
#include <cstdio>
#include <string>

#include "tinymlops/core/rng.h"
#include "tinymlops/data/split.h"
#include "tinymlops/fl/simulator.h"
#include "tinymlops/nn/trainer.h"

using namespace tinymlops;
using namespace tinymlops::fl;

namespace {

Model fresh(const Dataset& train) { return initial_model(train, hidden_dense_specs({32}), NormalizationKind::kStandard, 1); }

SimulationConfig federation(StrategyKind strategy, const std::string& partition, UpdateEncoding encoding, int rounds) {
  SimulationConfig c;
  c.clients = 100;
  c.partition = parse_partition(partition, "bench");
  c.server.rounds = rounds;
  c.server.fraction = 0.1;
  c.server.min_clients = 2;
  c.server.min_updates = 2;
  c.server.local.epochs = 5;
  c.server.local.batch_size = 10;
  c.server.local.learning_rate = 0.1f;
  c.server.strategy.kind = strategy;
  if (strategy == StrategyKind::kFedProx) c.server.local.proximal_mu = c.server.strategy.proximal_mu;
  if (strategy == StrategyKind::kFedAdam) c.server.strategy.server_learning_rate = 0.01;
  c.server.encoding = encoding;
  c.server.seed = 7;
  c.seed = 7;
  return c;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fl_bench DIGITS_CSV [ROUNDS]\n");
    return 2;
  }
  const int rounds = argc > 2 ? std::stoi(argv[2]) : 200;
  DatasetOptions options;
  options.label = "digit";
  Dataset data = load_dataset(argv[1], options);
  SplitIndices split = split_dataset(data, 0.2, 0, 7);
  Dataset train = data.subset(split.train), validation = data.subset(split.validation);

  // The anchor: the same model and rows, trained centrally (Adam, 50 epochs).
  Model central = fresh(train);
  TrainOptions train_options;
  train_options.seed = 7;
  train_model(central, train, nullptr, train_options, nullptr);
  const double central_accuracy = evaluate_loss(central, validation, LossKind::kCrossEntropy).metric;
  const double target = 0.95 * central_accuracy;
  std::printf("fl_bench: digits, %zu training rows over 100 clients (10 per round, 5 local epochs), %zu validation rows\n",
              train.size(), validation.size());
  std::printf("centralized accuracy %.4f (anchor); target 95%% of it = %.4f; up to %d rounds\n\n", central_accuracy, target,
              rounds);

  std::printf("%-10s %-16s %18s %14s\n", "strategy", "partition", "rounds to target", "final acc");
  for (const char* partition : {"iid", "dirichlet:0.3"}) {
    for (StrategyKind s : {StrategyKind::kFedAvg, StrategyKind::kFedProx, StrategyKind::kFedAdam}) {
      SimulationConfig c = federation(s, partition, UpdateEncoding::kFloat32, rounds);
      SimulationResult r = simulate(fresh(train), train, validation, c, {});
      int reached = 0;
      for (const RoundRecord& rec : r.rounds) {
        if (!reached && rec.counted && rec.accuracy >= target) reached = static_cast<int>(rec.round);
      }
      std::printf("%-10s %-16s %18s %14.4f\n", strategy_name(s), partition,
                  reached ? std::to_string(reached).c_str() : "not reached", r.final_accuracy);
    }
  }

  SimulationResult f32 = simulate(fresh(train), train, validation,
                                  federation(StrategyKind::kFedAvg, "iid", UpdateEncoding::kFloat32, rounds), {});
  SimulationResult i8 = simulate(fresh(train), train, validation,
                                 federation(StrategyKind::kFedAvg, "iid", UpdateEncoding::kInt8, rounds), {});
  std::printf("\nFedAvg IID after %d rounds: accuracy %.4f vs centralized %.4f: %+.2f pp\n", rounds, f32.final_accuracy,
              central_accuracy, 100 * (f32.final_accuracy - central_accuracy));
  std::printf("update bytes received per round: float32 %.0f, int8 %.0f: %.2fx fewer; accuracy %.4f -> %.4f (%+.2f pp)\n",
              f32.mean_bytes_per_round, i8.mean_bytes_per_round, f32.mean_bytes_per_round / i8.mean_bytes_per_round,
              f32.final_accuracy, i8.final_accuracy, 100 * (i8.final_accuracy - f32.final_accuracy));

  // Aggregation time: 1,000 updates the size of the digits model.
  Model model = fresh(train);
  Weights global = flatten_params(model);
  Rng rng(3);
  std::vector<ClientUpdate> updates(1000);
  for (size_t i = 0; i < updates.size(); ++i) {
    updates[i].client = "c" + std::to_string(10000 + i);
    updates[i].samples = 10 + static_cast<int64_t>(i % 7);
    updates[i].delta.resize(global.size());
    for (float& v : updates[i].delta) v = 0.01f * rng.normal();
  }
  std::printf("\nserver aggregation of 1,000 updates of %zu values:\n", global.size());
  for (StrategyKind s : {StrategyKind::kFedAvg, StrategyKind::kFedAdam, StrategyKind::kMedian, StrategyKind::kTrimmedMean,
                         StrategyKind::kKrum}) {
    StrategyConfig config;
    config.kind = s;
    auto strategy = make_strategy(config);
    Weights w = global;
    auto start = std::chrono::steady_clock::now();
    strategy->aggregate(updates, w);
    std::printf("  %-13s %8.1f ms\n", strategy_name(s), 1000 * seconds_since(start));
  }
  return 0;
}

// tinymlops prune
#include <algorithm>
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "tinymlops/compress/prune.h"
#include "tinymlops/compress/prune_job.h"

namespace tinymlops::cli {

namespace {

struct PruneFlags {
  PruneConfig config;
  std::string schedule = "one_shot";
  std::string norm = "l2";
  bool per_layer = false;
  bool json = false;
  ProgressFlags progress;
};

void print_prune_report(const PruneReport& r) {
  if (r.structured) {
    std::printf("removed %.0f%% of the units/filters of each hidden dense/convolution layer (smallest %s norm)\n",
                100 * r.sparsity, r.norm.c_str());
    for (const UnitCount& layer : r.units) {
      std::printf("  %-24s %5d -> %d\n", layer.layer.c_str(), layer.before, layer.after);
    }
  } else {
    std::printf("pruned %.0f%% of the weights (%s%s)\n", 100 * r.sparsity, r.global ? "ranked globally" : "per layer",
                r.gradual ? ", gradual" : "");
  }
  std::printf("parameters     %lld -> %lld\n", static_cast<long long>(r.params_before),
              static_cast<long long>(r.params_after));
  std::printf("nonzero weights %lld -> %lld\n", static_cast<long long>(r.nonzero_before),
              static_cast<long long>(r.nonzero_after));
  for (const LayerSparsity& layer : r.layers) {
    std::printf("  %-24s %6lld weights, %5.1f%% zero\n", layer.layer.c_str(), static_cast<long long>(layer.weights),
                100.0 * static_cast<double>(layer.zeros) / std::max(1.0, static_cast<double>(layer.weights)));
  }
  print_fine_tune_report(r.fine_tune);
}

}  // namespace

void register_prune(CLI::App& app) {
  auto flags = std::make_shared<PruneFlags>();
  CLI::App* command = app.add_subcommand("prune", "prune a trained model (zero or remove weights) and fine-tune it");
  command->footer(
      "Writes a float model (.tmlm) with the same metadata; quantize it next. Example:\n"
      "  tinymlops prune digits.tmlm --sparsity 0.5 --data examples/data/digits.csv --label digit --out pruned.tmlm");
  command->add_option("model", flags->config.model, "trained model (.tmlm)")->required();
  command->add_option("--data", flags->config.data, "CSV with the model's columns: fine-tuning and held-out metrics")
      ->required();
  command->add_option("--label", flags->config.label, "target column (default: the model's)");
  command->add_option("--sparsity", flags->config.sparsity,
                      "fraction of weights to zero, or of hidden units/filters to remove with --structured "
                      "(default 0.5)");
  command->add_flag("--structured", flags->config.structured,
                    "remove whole units of hidden dense layers and filters of convolutions (the model really shrinks)");
  command->add_option("--norm", flags->norm, "--structured ranks units/filters by l1 or l2 (default) norm");
  command->add_flag("--per-layer", flags->per_layer, "each layer to the target sparsity (default: global ranking)");
  command->add_option("--schedule", flags->schedule, "one_shot (default) or gradual (cubic ramp while fine-tuning)");
  command->add_option("--epochs", flags->config.epochs, "fine-tuning epochs (default 10; 0: none)");
  command->add_option("--lr", flags->config.learning_rate, "fine-tuning learning rate (default 0.001)");
  command->add_flag("--drop-bad-rows", flags->config.drop_bad_rows, "skip rows with empty/NaN/Inf cells");
  command->add_option("--out", flags->config.out, "pruned model to write (.tmlm)")->required();
  command->add_flag("--json", flags->json, "print the report as JSON");
  flags->progress.add_to(*command);
  command->callback([flags] {
    PruneConfig config = flags->config;
    config.gradual = parse_gradual_schedule(flags->schedule, "--schedule");
    config.global = !flags->per_layer;
    config.norm = parse_unit_norm(flags->norm, "--norm");
    auto progress = flags->progress.make();
    PruneResult result = run_prune(config, *progress);
    if (flags->json) std::cout << to_json(result.report).dump(2) << "\n";
    else print_prune_report(result.report);
  });
}

}  // namespace tinymlops::cli

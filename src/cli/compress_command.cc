// tinymlops compress --recipe
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "tinymlops/compress/recipe.h"

namespace tinymlops::cli {

namespace {

// One line per step: its kind, the held-out drop (when there were held-out
// rows), what it shrank, e.g. "prune     held-out drop 0.56 (...), nonzero weights 4416 -> 2208".
void print_step(const RecipeStepReport& step) {
  std::printf("%-9s", step.kind.c_str());
  const auto print_drop = [](size_t eval_rows, double drop) {
    if (eval_rows > 0) std::printf(" held-out drop %.2f (accuracy points, or RMSE gained)", drop);
  };
  if (step.kind == "prune") {
    print_drop(step.prune.fine_tune.eval_rows, step.prune.fine_tune.drop);
    std::printf(", nonzero weights %lld -> %lld", static_cast<long long>(step.prune.nonzero_before),
                static_cast<long long>(step.prune.nonzero_after));
  } else if (step.kind == "cluster") {
    print_drop(step.cluster.fine_tune.eval_rows, step.cluster.fine_tune.drop);
    std::printf(", at most %d distinct weights per layer", step.cluster.clusters);
  } else {
    print_drop(step.quantize.eval_rows, step.quantize.drop);
    std::printf(", weights %.2fx smaller", step.quantize.weight_ratio);
  }
  std::printf("\n");
}

}  // namespace

void register_compress(CLI::App& app) {
  auto config = std::make_shared<RecipeConfig>();
  auto json = std::make_shared<bool>(false);
  auto progress_flags = std::make_shared<ProgressFlags>();
  CLI::App* command = app.add_subcommand("compress", "apply a compression recipe (prune, then quantize) to a model");
  command->footer(
      "A recipe is YAML (docs/compression.md), e.g.\n"
      "  steps:\n"
      "    - prune: {sparsity: 0.5, epochs: 10}\n"
      "    - quantize: {method: qat, bits: 4, epochs: 10}\n"
      "Example: tinymlops compress digits.tmlm --recipe recipe.yaml --data examples/data/digits.csv --out d.tdm");
  command->add_option("model", config->model, "trained model (.tmlm)")->required();
  command->add_option("--recipe", config->recipe, "recipe file (YAML)")->required();
  command->add_option("--data", config->data, "CSV with the model's columns")->required();
  command->add_option("--label", config->label, "target column (default: the model's)");
  command->add_flag("--drop-bad-rows", config->drop_bad_rows, "skip rows with empty/NaN/Inf cells");
  command->add_option("--out", config->out, "model to write: .tdm when the recipe quantizes, else .tmlm")->required();
  command->add_flag("--json", *json, "print the report of every step as JSON");
  progress_flags->add_to(*command);
  command->callback([config, json, progress_flags] {
    auto progress = progress_flags->make();
    const RecipeReport report = run_recipe(*config, *progress);
    if (*json) {
      std::cout << to_json(report).dump(2) << "\n";
      return;
    }
    for (const RecipeStepReport& step : report.steps) print_step(step);
    std::printf("wrote %s (%lld bytes)\n", report.model.c_str(), static_cast<long long>(report.file_bytes));
  });
}

}  // namespace tinymlops::cli

// tinymlops compress --recipe
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "tinymlops/compress/recipe.h"

namespace tinymlops::cli {

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
    nlohmann::ordered_json report = run_recipe(*config, *progress);
    if (*json) {
      std::cout << report.dump(2) << "\n";
      return;
    }
    for (const auto& step : report["steps"]) {
      for (const auto& [kind, r] : step.items()) {
        std::printf("%-9s", kind.c_str());
        if (r.contains("before")) {
          std::printf(" held-out drop %.2f (accuracy points, or RMSE gained)", r["drop"].get<double>());
        }
        if (kind == "prune") {
          std::printf(", nonzero weights %lld -> %lld", r["nonzero_before"].get<long long>(),
                      r["nonzero_after"].get<long long>());
        } else {
          std::printf(", weights %.2fx smaller", r["weight_ratio"].get<double>());
        }
        std::printf("\n");
      }
    }
    std::printf("wrote %s (%lld bytes)\n", report["model"].get<std::string>().c_str(),
                report["file_bytes"].get<long long>());
  });
}

}  // namespace tinymlops::cli

// Compression recipes: a YAML list of steps applied in order to a trained model.
//
//   steps:
//     - prune: {sparsity: 0.5, schedule: gradual, epochs: 10}
//     - quantize: {method: qat, bits: 4, epochs: 10}
//
// prune keys: sparsity, structured, per_layer, schedule (one_shot | gradual),
// epochs, lr. cluster keys: clusters (2..16), epochs, lr. quantize keys: method (ptq | qat | fp16 | dynamic), bits (4 | 8), calibration
// (minmax | percentile | mse | kl), per_channel, calibration_samples, epochs, lr.
// quantize, when present, must be the last step (it makes the deploy model).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tinymlops/compress/cluster_job.h"
#include "tinymlops/compress/prune_job.h"
#include "tinymlops/compress/quantize_job.h"

namespace tinymlops {

struct RecipeStep {
  std::string kind;   // "prune", "cluster" or "quantize"
  std::string where;  // "recipe.yaml:3:5", for errors
  PruneConfig prune;
  ClusterConfig cluster;
  QuantizeConfig quantize;
};

// Parses and checks a recipe. Errors (unknown step or key, bad value, a value
// out of range, quantize not last, no steps) name file:line:column.
std::vector<RecipeStep> load_recipe(const std::filesystem::path& path);

struct RecipeConfig {
  std::string model, data, label, recipe, out;
  bool drop_bad_rows = false;
};

// Runs the steps; writes a deploy model (.tdm) when the last step quantizes,
// else a trained model (.tmlm). Report: {"steps":[each step's report],"model","file_bytes"}.
nlohmann::ordered_json run_recipe(const RecipeConfig& config, Progress& progress);

}  // namespace tinymlops

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

// What one recipe step did: the report of the job named by `kind`; the other
// two reports are left empty.
struct RecipeStepReport {
  std::string kind;  // "prune", "cluster" or "quantize" (RecipeStep::kind)
  PruneReport prune;
  ClusterReport cluster;
  QuantizeReport quantize;
};

// What `tinymlops compress` did.
struct RecipeReport {
  std::vector<RecipeStepReport> steps;  // one per recipe step, in order
  std::string model;       // the file written (RecipeConfig::out), or empty
  size_t file_bytes = 0;   // its size in bytes
};

// The report as `compress --json` prints it, keys in this order:
// {"steps":[{"prune":{to_json(PruneReport)}} or {"cluster":{...}} or
//  {"quantize":{to_json(QuantizeReport)}}, ...],["model","file_bytes" (written)]}
nlohmann::ordered_json to_json(const RecipeReport& report);

// Runs the steps; writes a deploy model (.tdm) when the last step quantizes,
// else a trained model (.tmlm). Each step uses the rows of `data` as its job
// would on its own (prune_job.h, cluster_job.h, quantize_job.h) and writes no
// file of its own.
RecipeReport run_recipe(const RecipeConfig& config, Progress& progress);

}  // namespace tinymlops

// The current inputs of a stage and how they compare with pipeline.lock
// (internal to src/pipeline; shared by status and the executor).
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tinymlops/pipeline/lock.h"
#include "tinymlops/pipeline/output_cache.h"
#include "tinymlops/pipeline/pipeline.h"

namespace tinymlops::pipeline {

// Parsed params files, read once per command.
class ParamFiles {
 public:
  explicit ParamFiles(std::filesystem::path root) : root_(std::move(root)) {}
  // The value of `ref`; Error naming the file when the file or key is missing.
  nlohmann::ordered_json value(const ParamRef& ref);

 private:
  std::filesystem::path root_;
  std::map<std::string, nlohmann::ordered_json> files_;
};

using ParamValues = std::map<std::string, std::map<std::string, nlohmann::ordered_json>>;

struct StageInputs {
  std::vector<PathHash> deps;           // hash "" for a dep that does not exist now
  ParamValues params;
};

// Hashes the deps (through `cache`) and reads the params values of `stage`.
StageInputs current_inputs(const Pipeline& pipeline, const Stage& stage, OutputCache& cache, ParamFiles& params);

// Why `stage` must run (empty: up to date). `locked` is its lock entry or nullptr.
// Outputs are hashed through `cache` only when everything else matches.
std::vector<std::string> stale_reasons(const Pipeline& pipeline, const Stage& stage, const StageInputs& inputs,
                                       const LockedStage* locked, OutputCache& cache);

// sha256 hex over (cmd, wdir, dep hashes, params values, declared outputs).
std::string run_cache_key(const Stage& stage, const StageInputs& inputs);

// The project-relative path `path` as an absolute path under the pipeline root
// (absolute deps stay as they are).
std::filesystem::path in_project(const Pipeline& pipeline, const std::string& path);

// "key" for params.yaml, "FILE:key" for other files.
std::string param_label(const std::string& file, const std::string& key);

}  // namespace tinymlops::pipeline

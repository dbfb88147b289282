// pipeline.lock: what each stage was last run with and what it produced.
//
//   schema: 1
//   stages:
//     train:
//       cmd: ./train.sh > model.bin
//       deps:
//         - path: train.sh
//           hash: 9f86d0...
//       params:
//         params.yaml:
//           train.epochs: 10
//       outs:
//         - path: model.bin
//           hash: 2c26b4...
//       metrics:
//         metrics.json:
//           accuracy: 0.97
//
// Stages appear in the pipeline's topological order, deps and outs in declaration
// order, params by file then key (sorted); the file is written atomically.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tinymlops::pipeline {

struct PathHash {
  std::string path;
  std::string hash;
  bool operator==(const PathHash&) const = default;
};

struct LockedStage {
  std::string cmd;
  std::vector<PathHash> deps;
  // file -> (key -> value)
  std::map<std::string, std::map<std::string, nlohmann::ordered_json>> params;
  std::vector<PathHash> outs;  // every output: outs, metrics and plots files
  // metrics file -> flattened values
  std::map<std::string, nlohmann::ordered_json> metrics;
};

struct LockFile {
  // stage name -> entry; written in `order` (stages not in `order` follow, sorted).
  std::map<std::string, LockedStage> stages;
  std::vector<std::string> order;

  const LockedStage* find(const std::string& stage) const;
};

// Reads `file`; a missing file is an empty lock. Error(kParse) naming
// "pipeline.lock:LINE:COL" for malformed content.
LockFile read_lock(const std::filesystem::path& file);

// The lock's YAML text (deterministic; see the layout above).
std::string lock_to_yaml(const LockFile& lock);

// Writes lock_to_yaml(lock) to `file` atomically.
void write_lock(const std::filesystem::path& file, const LockFile& lock);

}  // namespace tinymlops::pipeline

// The run cache index: run_cache_key -> the outputs that run produced
// (internal to src/pipeline). One small file per key under
// ROOT/.tinymlops/runcache/runs/, a line "HASH PATH" per output; the objects
// themselves live in the OutputCache.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tinymlops/pipeline/lock.h"

namespace tinymlops::pipeline {

class RunCache {
 public:
  explicit RunCache(std::filesystem::path runs_dir) : runs_dir_(std::move(runs_dir)) {}

  // The outputs recorded for `key`, or nullopt. A malformed entry is ignored.
  std::optional<std::vector<PathHash>> find(const std::string& key) const;
  // Records (atomically) the outputs of a run.
  void record(const std::string& key, const std::vector<PathHash>& outputs) const;
  // Every object hash named by any entry (for OutputCache::keep).
  std::vector<std::string> all_hashes() const;

 private:
  std::filesystem::path runs_dir_;
};

}  // namespace tinymlops::pipeline

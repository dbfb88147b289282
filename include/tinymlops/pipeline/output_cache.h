// The seam between the pipeline executor and a content-addressed store.
//
// The executor hashes deps and outs, saves outs after a stage runs and restores
// them from the run cache through this interface. It calls one OutputCache from
// one thread at a time, so implementations need no locking of their own.
// StoreOutputCache (below) is the project store behind it; tests may use others.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tinymlops/store/repository.h"

namespace tinymlops::pipeline {

class OutputCache {
 public:
  virtual ~OutputCache() = default;
  // SHA-256 hex of a file's content or of a directory's listing (names and
  // content hashes). Error(kIo) naming the path when it does not exist.
  virtual std::string hash(const std::filesystem::path& path) = 0;
  // Copies `path` (file or directory) into the cache, leaving it in place; returns its hash.
  virtual std::string save(const std::filesystem::path& path) = 0;
  // Writes object `hash` to `path`, replacing what is there. Error naming the
  // object when it is missing or its content no longer matches the hash.
  virtual void restore(const std::string& hash, const std::filesystem::path& path) = 0;
  virtual bool contains(const std::string& hash) = 0;
  // The objects `owner` keeps alive (garbage collection must not drop them);
  // replaces the owner's previous set.
  virtual void keep(const std::string& owner, const std::vector<std::string>& hashes) = 0;
};

// The project's content-addressed store (store::Repository) as the pipeline's
// cache: hashes come from its hash cache, outputs become its objects, and keep()
// is set_references(), so `tinymlops gc` never drops what the lock or the run
// cache names.
class StoreOutputCache : public OutputCache {
 public:
  explicit StoreOutputCache(store::Repository& repo) : repo_(repo) {}
  std::string hash(const std::filesystem::path& path) override { return repo_.hash_path(path); }
  std::string save(const std::filesystem::path& path) override { return repo_.save(path); }
  void restore(const std::string& hash, const std::filesystem::path& path) override { repo_.restore(hash, path); }
  bool contains(const std::string& hash) override { return repo_.contains(hash); }
  void keep(const std::string& owner, const std::vector<std::string>& hashes) override {
    repo_.set_references(owner, hashes);
  }

 private:
  store::Repository& repo_;
};

// The store of the project at `root` (the nearest .tinymlops/ at or above it;
// created at `root` when there is none), for the commands.
store::Repository open_pipeline_store(const std::filesystem::path& root);

}  // namespace tinymlops::pipeline

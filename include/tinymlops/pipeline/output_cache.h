// The seam between the pipeline executor and a content-addressed store.
//
// The executor hashes deps and outs, saves outs after a stage runs and restores
// them from the run cache through this interface. It calls one OutputCache from
// one thread at a time, so implementations need no locking of their own.
// LocalOutputCache (below) keeps copies under .tinymlops/runcache/objects/; a
// store::Repository adapter can take its place without touching src/pipeline.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

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

// Hashes with sha256_file_hex and stores copies under `objects_dir`
// (normally ROOT/.tinymlops/runcache/objects): a file as objects_dir/HASH, a
// directory as objects_dir/HASH.dir/ (a copy of the tree). keep() writes the
// owner's list to objects_dir/../keep/OWNER (one hash a line).
class LocalOutputCache : public OutputCache {
 public:
  explicit LocalOutputCache(std::filesystem::path objects_dir);
  std::string hash(const std::filesystem::path& path) override;
  std::string save(const std::filesystem::path& path) override;
  void restore(const std::string& hash, const std::filesystem::path& path) override;
  bool contains(const std::string& hash) override;
  void keep(const std::string& owner, const std::vector<std::string>& hashes) override;

 private:
  std::filesystem::path objects_dir_;
};

}  // namespace tinymlops::pipeline

namespace tinymlops::pipeline {

// The cache the commands use for the project at `root`. For now a
// LocalOutputCache under root/.tinymlops/runcache/objects; this one function
// (src/pipeline/open_output_cache.cc) is where the project store plugs in.
std::unique_ptr<OutputCache> open_output_cache(const std::filesystem::path& root);

}  // namespace tinymlops::pipeline

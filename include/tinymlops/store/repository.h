// A tinymlops project: the directory holding .tinymlops/ and tinymlops.yaml.
//
//   root/
//     tinymlops.yaml          project configuration (config.h), committed to git
//     .tinymlops/
//       cache/ab/cdef...      content-addressed objects (object_cache.h)
//       state.db              hash cache and object references (state_db.h)
//       lock                  held by the command changing the project (ProjectLock)
//       .gitignore            "*": nothing here is committed
//
// Worked example (what `tinymlops add data.csv` and `checkout` do):
//
//   auto repo = store::Repository::open(".");
//   store::ProjectLock lock(repo);                 // one mutating command at a time
//   std::string hash = repo.save("data.csv");      // content now in the cache
//   ... the file is edited or deleted ...
//   repo.restore(hash, "data.csv");                // verified copy back
//
// A Repository is movable, not copyable; it holds an SQLite connection.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tinymlops/store/config.h"
#include "tinymlops/store/hashing.h"
#include "tinymlops/store/manifest.h"
#include "tinymlops/store/object_cache.h"
#include "tinymlops/store/state_db.h"

namespace tinymlops::store {

// What save_object() stored.
struct SavedObject {
  ObjectId id;
  uint64_t size = 0;   // bytes of content (all files for a directory)
  uint64_t files = 1;  // 1 for a file
  uint64_t copied_bytes = 0;  // bytes actually copied into the cache (0 when all were there)
};

class Repository {
 public:
  // Creates .tinymlops/ (cache/, state.db, ...) and tinymlops.yaml under `root`.
  // On an existing project it creates what is missing and keeps tinymlops.yaml.
  static Repository init(const std::filesystem::path& root);
  // Opens the project containing `start` (searching upward for .tinymlops/); throws
  // Error naming `start` with the hint "run `tinymlops init`" when there is none.
  static Repository open(const std::filesystem::path& start);

  Repository(Repository&&) noexcept;
  Repository& operator=(Repository&&) noexcept;
  ~Repository();

  const std::filesystem::path& root() const;
  std::filesystem::path state_dir() const { return root() / ".tinymlops"; }
  // tinymlops.yaml read now (defaults when the file is absent).
  ProjectConfig config() const;

  // SHA-256 hex of a file's content, or of a directory's manifest object; served from
  // the hash cache (inode, size, mtime) when the file is unchanged.
  std::string hash_path(const std::filesystem::path& path);
  // Copies `path` (file or directory) into the cache, leaving it in place; returns its hash.
  std::string save(const std::filesystem::path& path);
  // Writes object `hash` (file or directory) to `path`, replacing what is there; verifies
  // the content hash and throws Error naming the object when it is corrupted or missing.
  void restore(const std::string& hash, const std::filesystem::path& path);
  bool contains(const std::string& hash) const;
  // Objects that `owner` (e.g. "pipeline.lock", "run-cache", "registry") keeps alive:
  // gc never drops them. Replaces the owner's previous set. Stored in the state database.
  void set_references(const std::string& owner, const std::vector<std::string>& hashes);

  // --- beyond the shared contract ---

  // save() with details and progress in bytes. Symbolic links and special files
  // are refused (Error(kUnsupported) naming them).
  SavedObject save_object(const std::filesystem::path& path, const ByteProgress& progress = nullptr);
  // restore() of an object whose kind is known (a pointer file says it).
  void restore_object(const ObjectId& id, const std::filesystem::path& path, const ByteProgress& progress = nullptr);
  // The manifest a directory has now (hash-cached), and the one stored as object `hash`.
  std::vector<ManifestEntry> scan_manifest(const std::filesystem::path& dir);
  std::vector<ManifestEntry> read_manifest(const std::string& hash) const;
  // All owners' references (owner -> hashes).
  std::map<std::string, std::vector<std::string>> references();

  ObjectCache& cache();
  const ObjectCache& cache() const;
  // Hash cache hits and misses of this Repository object so far.
  HashCacheStats hash_cache_stats() const;

 private:
  struct Impl;
  explicit Repository(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Serializes commands on one project: exclusive lock on .tinymlops/lock (flock); when
// another command holds it, waits up to `wait_seconds` then throws a clear Error
// ("another tinymlops command (pid N) is using this project"). Released on destruction.
class ProjectLock {
 public:
  explicit ProjectLock(const Repository& repo, double wait_seconds = 10);
  ~ProjectLock();
  ProjectLock(const ProjectLock&) = delete;
  ProjectLock& operator=(const ProjectLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace tinymlops::store

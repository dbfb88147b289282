// Remotes: where push sends objects and pull fetches them.
//
// A remote stores objects under the same keys as the cache (object_key():
// "ab/cdef..." and "ab/cdef....dir"). The interface is small so that an S3 (or
// HTTP) remote can implement it: list/has, put a local file, get into a sink.
// Implementations verify the SHA-256 while the bytes pass through and publish
// nothing whose hash does not match.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include "tinymlops/store/object_cache.h"
#include "tinymlops/store/staged_writes.h"

namespace tinymlops::store {

class Remote {
 public:
  virtual ~Remote() = default;
  // For messages: "/mnt/share/remote", "s3://bucket/prefix".
  virtual std::string location() const = 0;
  // Keys of every object on the remote (one listing instead of one query each).
  virtual std::set<std::string> list() = 0;
  // Uploads `local_file` as object `id`. Throws Error(kFormat) and publishes nothing
  // when the bytes do not hash to id.hash. May be visible only after flush().
  virtual void put(const ObjectId& id, const std::filesystem::path& local_file) = 0;
  // Makes every put() so far durable and visible.
  virtual void flush() = 0;
  // Streams object `id` into `sink` (chunks in order). Throws Error(kIo) naming the
  // object when the remote does not have it. The caller verifies the hash.
  virtual void get(const ObjectId& id, const std::function<void(const char*, size_t)>& sink) = 0;
};

// A plain directory (local disk, NFS, a mounted share), laid out like the cache.
// Writes are atomic: temporaries beside the object, synced, then renamed
// (staged_writes.h) at flush().
class DirectoryRemote : public Remote {
 public:
  // `dir` is created when missing.
  explicit DirectoryRemote(std::filesystem::path dir);
  std::string location() const override;
  std::set<std::string> list() override;
  void put(const ObjectId& id, const std::filesystem::path& local_file) override;
  void flush() override;
  void get(const ObjectId& id, const std::function<void(const char*, size_t)>& sink) override;

 private:
  std::filesystem::path dir_;
  StagedWrites staged_;
};

// The remote a location names: a directory path (absolute, or relative to
// `base`). "s3://..." and other URLs are Error(kUnsupported) for now.
std::unique_ptr<Remote> open_remote(const std::string& location, const std::filesystem::path& base);

}  // namespace tinymlops::store

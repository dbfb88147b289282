// The content-addressed object cache, .tinymlops/cache/ of a project.
//
// Layout: an object whose SHA-256 is "abcdef..." lives at cache/ab/cdef... (the
// first two hex digits name a shard directory). A directory manifest (manifest.h)
// lives at cache/ab/cdef....dir. Objects are read-only files (0444); temporaries
// are dot files (".name.tmp.XXXXXX") in cache/tmp/.
//
// Invariants:
//   1. An object's name is the SHA-256 of its bytes when it was written; it is
//      renamed into place only after its bytes are durable (staged_writes.h).
//   2. Every read out of the cache recomputes the hash; a mismatch throws
//      Error(kFormat) naming the object and its path, and the bytes are never used
//      (copy-outs go to a temporary that is dropped).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tinymlops/store/hashing.h"
#include "tinymlops/store/staged_writes.h"

namespace tinymlops::store {

enum class ObjectKind { kFile, kDirectory };

const char* object_kind_name(ObjectKind kind);  // "file", "directory"

struct ObjectId {
  std::string hash;
  ObjectKind kind = ObjectKind::kFile;
  bool operator<(const ObjectId& o) const { return hash != o.hash ? hash < o.hash : kind < o.kind; }
  bool operator==(const ObjectId&) const = default;
};

// "ab/cdef..." or "ab/cdef....dir": an object's name relative to a cache or remote root.
std::string object_key(const ObjectId& id);

class ObjectCache {
 public:
  // `dir` is the cache directory (created when missing).
  explicit ObjectCache(std::filesystem::path dir);

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path tmp_dir() const { return dir_ / "tmp"; }
  std::filesystem::path object_path(const ObjectId& id) const;
  bool contains(const ObjectId& id) const;
  // True when every object of `ids` is present. Many ids: one listing of the shard
  // directories involved instead of a path lookup each.
  bool contains_all(const std::vector<ObjectId>& ids) const;

  // Stages a copy of the file `source` as an object (hashed while copied; invariant
  // 1). Visible after staged.commit(). An existing object of the same hash is
  // replaced, which repairs a corrupted one.
  HashedCopy stage_file(const std::filesystem::path& source, StagedWrites& staged,
                        const ByteProgress& progress = nullptr);
  // Stages `bytes` as an object of `kind`; returns its hash.
  std::string stage_bytes(const std::string& bytes, ObjectKind kind, StagedWrites& staged);

  // The object's bytes, verified (invariant 2). Throws Error(kIo) when missing.
  std::string read(const ObjectId& id) const;
  // Stages a verified copy of object `id` at `destination` with permission `mode`
  // (invariant 2: a corrupted object throws and its temporary is dropped).
  void stage_copy_out(const ObjectId& id, const std::filesystem::path& destination, uint32_t mode,
                      StagedWrites& staged, const ByteProgress& progress = nullptr) const;
  // Rehashes the object; throws like read() when it is missing or corrupted.
  void verify(const ObjectId& id) const;

  struct Listed {
    ObjectId id;
    uint64_t size = 0;
  };
  // Every object, sorted by key. Entries that are not objects are skipped.
  std::vector<Listed> list() const;
  // Removes the object (no error when already gone).
  void remove(const ObjectId& id);

 private:
  std::filesystem::path dir_;
};

// The one-line message for a corrupted object.
[[noreturn]] void throw_corrupted(const ObjectId& id, const std::filesystem::path& path, const std::string& actual);
[[noreturn]] void throw_missing(const ObjectId& id, const std::filesystem::path& path);

}  // namespace tinymlops::store

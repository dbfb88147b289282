// The project's state database, .tinymlops/state.db (SQLite, WAL mode).
//
// Tables:
//   hash_cache(path TEXT PRIMARY KEY, inode, size, mtime_ns, hash)
//     the SHA-256 of a file as of its (inode, size, mtime); a lookup hits only
//     when all three still match. `path` is relative to the project root when the
//     file is inside it.
//   object_references(owner TEXT, hash TEXT, PRIMARY KEY(owner, hash))
//     objects that an owner ("pipeline.lock", "run-cache", "registry") keeps alive.
//
// Statements are prepared once per connection. Callers group their writes in a
// Transaction (one per command or per Repository operation).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace tinymlops::store {

// What identifies a file's content without reading it.
struct FileStamp {
  uint64_t inode = 0;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
};

struct HashCacheStats {
  long hits = 0;
  long misses = 0;
};

class StateDb {
 public:
  // Opens or creates the database at `file`. Throws Error(kIo) naming it.
  explicit StateDb(const std::filesystem::path& file);
  ~StateDb();
  StateDb(const StateDb&) = delete;
  StateDb& operator=(const StateDb&) = delete;

  // The cached hash of `key` when the stamp matches; counts a hit or a miss.
  std::optional<std::string> cached_hash(const std::string& key, const FileStamp& stamp);
  void remember_hash(const std::string& key, const FileStamp& stamp, const std::string& hash);

  // Replaces the owner's set of referenced hashes (durably: synchronous=FULL).
  void set_references(const std::string& owner, const std::vector<std::string>& hashes);
  // owner -> hashes, both sorted.
  std::map<std::string, std::vector<std::string>> references();

  HashCacheStats stats() const { return stats_; }

  // RAII transaction: commits in commit(), rolls back when destroyed uncommitted.
  // Nested transactions join the outermost one. A read transaction (`write` false)
  // gives many lookups one snapshot and one lock instead of one each.
  class Transaction {
   public:
    explicit Transaction(StateDb& db, bool write = true);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

   private:
    StateDb* db_;
    bool outermost_;
    bool done_ = false;
  };

 private:
  struct Statements;
  void exec(const char* sql);
  [[noreturn]] void fail(const std::string& what) const;

  std::filesystem::path file_;
  sqlite3* db_ = nullptr;
  std::unique_ptr<Statements> statements_;
  int transaction_depth_ = 0;
  HashCacheStats stats_;
};

}  // namespace tinymlops::store

#include "tinymlops/store/state_db.h"

#include <sqlite3.h>

#include "tinymlops/core/error.h"

namespace tinymlops::store {

namespace {

struct StatementDeleter {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS hash_cache(
  path TEXT PRIMARY KEY, inode INTEGER NOT NULL, size INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL, hash TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS object_references(
  owner TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY(owner, hash)) WITHOUT ROWID;
)sql";

int64_t as_int(uint64_t value) { return static_cast<int64_t>(value); }

}  // namespace

struct StateDb::Statements {
  Statement lookup, remember, delete_owner, insert_reference, all_references;
};

StateDb::StateDb(const std::filesystem::path& file) : file_(file) {
  if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error(ErrorKind::kIo, file.string(), "cannot open the state database: " + message);
  }
  sqlite3_busy_timeout(db_, 10000);
  exec("PRAGMA journal_mode=WAL");
  // The hash cache is a cache: losing its last transactions to a power cut costs
  // a re-hash, never a wrong answer. References switch to FULL (set_references).
  exec("PRAGMA synchronous=NORMAL");
  exec(kSchema);
  statements_ = std::make_unique<Statements>();
  auto prepare = [this](Statement& statement, const char* sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr) != SQLITE_OK) fail("prepare");
    statement.reset(raw);
  };
  prepare(statements_->lookup, "SELECT inode, size, mtime_ns, hash FROM hash_cache WHERE path = ?1");
  prepare(statements_->remember,
          "INSERT OR REPLACE INTO hash_cache(path, inode, size, mtime_ns, hash) VALUES(?1, ?2, ?3, ?4, ?5)");
  prepare(statements_->delete_owner, "DELETE FROM object_references WHERE owner = ?1");
  prepare(statements_->insert_reference, "INSERT OR IGNORE INTO object_references(owner, hash) VALUES(?1, ?2)");
  prepare(statements_->all_references, "SELECT owner, hash FROM object_references ORDER BY owner, hash");
}

StateDb::~StateDb() {
  statements_.reset();
  sqlite3_close(db_);
}

void StateDb::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    throw Error(ErrorKind::kIo, file_.string(), "state database: " + text);
  }
}

void StateDb::fail(const std::string& what) const {
  throw Error(ErrorKind::kIo, file_.string(), "state database (" + what + "): " + sqlite3_errmsg(db_));
}

std::optional<std::string> StateDb::cached_hash(const std::string& key, const FileStamp& stamp) {
  sqlite3_stmt* s = statements_->lookup.get();
  sqlite3_reset(s);
  sqlite3_bind_text(s, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
  std::optional<std::string> hash;
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    if (sqlite3_column_int64(s, 0) == as_int(stamp.inode) && sqlite3_column_int64(s, 1) == as_int(stamp.size) &&
        sqlite3_column_int64(s, 2) == stamp.mtime_ns) {
      hash = reinterpret_cast<const char*>(sqlite3_column_text(s, 3));
    }
  } else if (rc != SQLITE_DONE) {
    fail("hash cache lookup");
  }
  sqlite3_reset(s);
  ++(hash ? stats_.hits : stats_.misses);
  return hash;
}

void StateDb::remember_hash(const std::string& key, const FileStamp& stamp, const std::string& hash) {
  sqlite3_stmt* s = statements_->remember.get();
  sqlite3_reset(s);
  sqlite3_bind_text(s, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 2, as_int(stamp.inode));
  sqlite3_bind_int64(s, 3, as_int(stamp.size));
  sqlite3_bind_int64(s, 4, stamp.mtime_ns);
  sqlite3_bind_text(s, 5, hash.data(), static_cast<int>(hash.size()), SQLITE_TRANSIENT);
  if (sqlite3_step(s) != SQLITE_DONE) fail("hash cache write");
  sqlite3_reset(s);
}

void StateDb::set_references(const std::string& owner, const std::vector<std::string>& hashes) {
  exec("PRAGMA synchronous=FULL");
  try {
    Transaction transaction(*this);
    sqlite3_stmt* del = statements_->delete_owner.get();
    sqlite3_reset(del);
    sqlite3_bind_text(del, 1, owner.data(), static_cast<int>(owner.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(del) != SQLITE_DONE) fail("references");
    sqlite3_reset(del);
    sqlite3_stmt* insert = statements_->insert_reference.get();
    for (const std::string& hash : hashes) {
      sqlite3_reset(insert);
      sqlite3_bind_text(insert, 1, owner.data(), static_cast<int>(owner.size()), SQLITE_TRANSIENT);
      sqlite3_bind_text(insert, 2, hash.data(), static_cast<int>(hash.size()), SQLITE_TRANSIENT);
      if (sqlite3_step(insert) != SQLITE_DONE) fail("references");
    }
    sqlite3_reset(insert);
    transaction.commit();
  } catch (...) {
    exec("PRAGMA synchronous=NORMAL");
    throw;
  }
  exec("PRAGMA synchronous=NORMAL");
}

std::map<std::string, std::vector<std::string>> StateDb::references() {
  std::map<std::string, std::vector<std::string>> result;
  sqlite3_stmt* s = statements_->all_references.get();
  sqlite3_reset(s);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    result[reinterpret_cast<const char*>(sqlite3_column_text(s, 0))].push_back(
        reinterpret_cast<const char*>(sqlite3_column_text(s, 1)));
  }
  if (rc != SQLITE_DONE) fail("references");
  sqlite3_reset(s);
  return result;
}

StateDb::Transaction::Transaction(StateDb& db, bool write) : db_(&db), outermost_(db.transaction_depth_ == 0) {
  if (outermost_) db_->exec(write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
  ++db_->transaction_depth_;
}

StateDb::Transaction::~Transaction() {
  if (done_) return;
  --db_->transaction_depth_;
  if (outermost_) sqlite3_exec(db_->db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void StateDb::Transaction::commit() {
  if (done_) return;
  done_ = true;
  --db_->transaction_depth_;
  if (outermost_) db_->exec("COMMIT");
}

}  // namespace tinymlops::store

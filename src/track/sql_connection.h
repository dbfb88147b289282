// The seam between the experiment store and its two databases. The store writes
// one dialect of SQL that SQLite and PostgreSQL both accept; a connection only runs
// statements, binds parameters and opens transactions.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tinymlops::track::detail {

// A parameter or a result cell as text; std::nullopt is SQL NULL.
using SqlValue = std::optional<std::string>;
using SqlRow = std::vector<SqlValue>;

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  // Runs one statement whose parameters are written $1, $2, ... and bound from `params`
  // as text (the column types convert them). Returns the result rows; REAL values come
  // back in their shortest exact decimal form. Throws Error(kIo) at location().
  virtual std::vector<SqlRow> query(const std::string& sql, const std::vector<SqlValue>& params = {}) = 0;
  // BEGIN a transaction that excludes every other writer of the same database until
  // commit() or rollback(); waits for the current writer to finish.
  virtual void begin_write() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;  // never throws
  // The database file, or the URL without its password.
  virtual const std::string& location() const = 0;
};

std::unique_ptr<SqlConnection> connect_sqlite(const std::string& database_file);
std::unique_ptr<SqlConnection> connect_postgres(const std::string& url);

// RAII write transaction: begin_write() now, rollback() unless commit() was called.
class WriteTransaction {
 public:
  explicit WriteTransaction(SqlConnection& connection) : connection_(connection) { connection_.begin_write(); }
  ~WriteTransaction() {
    if (!done_) connection_.rollback();
  }
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  void commit() {
    connection_.commit();
    done_ = true;
  }

 private:
  SqlConnection& connection_;
  bool done_ = false;
};

}  // namespace tinymlops::track::detail

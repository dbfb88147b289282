// SqlConnection over libsqlite3.
#include <sqlite3.h>

#include <charconv>

#include "sql_connection.h"
#include "tinymlops/core/error.h"

namespace tinymlops::track::detail {

namespace {

// How long a writer waits for another one before giving up.
constexpr int kBusyTimeoutMs = 30000;

class SqliteConnection final : public SqlConnection {
 public:
  explicit SqliteConnection(std::string file) : location_(std::move(file)) {
    int rc = sqlite3_open_v2(location_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc != SQLITE_OK) {
      std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      db_ = nullptr;
      throw Error(ErrorKind::kIo, location_, "cannot open the experiment database: " + message);
    }
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    query("PRAGMA foreign_keys = ON", {});
  }
  ~SqliteConnection() override { sqlite3_close(db_); }

  std::vector<SqlRow> query(const std::string& sql, const std::vector<SqlValue>& params) override {
    sqlite3_stmt* statement = nullptr;
    check(sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &statement, nullptr));
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> owner(statement, sqlite3_finalize);
    for (size_t i = 0; i < params.size(); ++i) {
      // The SQL names its parameters $1, $2, ...; SQLite treats each as a named parameter.
      int index = sqlite3_bind_parameter_index(statement, ("$" + std::to_string(i + 1)).c_str());
      if (index == 0) continue;  // not used by this statement
      if (params[i]) {
        check(sqlite3_bind_text(statement, index, params[i]->data(), static_cast<int>(params[i]->size()),
                                SQLITE_TRANSIENT));
      } else {
        check(sqlite3_bind_null(statement, index));
      }
    }
    std::vector<SqlRow> rows;
    for (;;) {
      int rc = sqlite3_step(statement);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) check(rc);
      SqlRow row;
      int columns = sqlite3_column_count(statement);
      for (int c = 0; c < columns; ++c) row.push_back(cell(statement, c));
      rows.push_back(std::move(row));
    }
    return rows;
  }

  void begin_write() override { query("BEGIN IMMEDIATE", {}); }
  void commit() override { query("COMMIT", {}); }
  void rollback() override {
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  const std::string& location() const override { return location_; }

 private:
  static SqlValue cell(sqlite3_stmt* statement, int column) {
    switch (sqlite3_column_type(statement, column)) {
      case SQLITE_NULL:
        return std::nullopt;
      case SQLITE_FLOAT: {
        // sqlite3_column_text would round to 15 digits; keep every bit.
        char buffer[64];
        auto result = std::to_chars(buffer, buffer + sizeof buffer, sqlite3_column_double(statement, column));
        return std::string(buffer, result.ptr);
      }
      default: {
        const unsigned char* text = sqlite3_column_text(statement, column);
        return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_column_bytes(statement, column)));
      }
    }
  }

  void check(int rc) {
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
    throw Error(ErrorKind::kIo, location_, std::string("experiment database: ") + sqlite3_errmsg(db_));
  }

  std::string location_;
  sqlite3* db_ = nullptr;
};

}  // namespace

std::unique_ptr<SqlConnection> connect_sqlite(const std::string& database_file) {
  return std::make_unique<SqliteConnection>(database_file);
}

}  // namespace tinymlops::track::detail

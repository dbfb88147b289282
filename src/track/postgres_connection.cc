// SqlConnection over libpq.
#include <libpq-fe.h>

#include "sql_connection.h"
#include "tinymlops/core/error.h"

namespace tinymlops::track::detail {

namespace {

// Key of the advisory lock that serializes writers of one database ("tmlops").
constexpr const char* kWriterLockKey = "127978543476851";

// "postgresql://user:secret@host/db" -> "postgresql://user:***@host/db".
std::string without_password(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  size_t at = url.find('@', scheme + 3);
  if (at == std::string::npos) return url;
  size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

// libpq messages end with a newline and may span lines; keep the first line.
std::string first_line(const char* message) {
  std::string text = message ? message : "";
  size_t end = text.find('\n');
  if (end != std::string::npos) text.resize(end);
  return text;
}

class PostgresConnection final : public SqlConnection {
 public:
  explicit PostgresConnection(const std::string& url) : location_(without_password(url)) {
    connection_ = PQconnectdb(url.c_str());
    if (!connection_ || PQstatus(connection_) != CONNECTION_OK) {
      std::string message = connection_ ? first_line(PQerrorMessage(connection_)) : "out of memory";
      PQfinish(connection_);
      connection_ = nullptr;
      throw Error(ErrorKind::kIo, location_, "cannot connect to PostgreSQL: " + message);
    }
    // NOTICEs (e.g. "relation already exists, skipping") are not for the user.
    PQsetNoticeProcessor(connection_, [](void*, const char*) {}, nullptr);
  }
  ~PostgresConnection() override { PQfinish(connection_); }

  std::vector<SqlRow> query(const std::string& sql, const std::vector<SqlValue>& params) override {
    std::vector<const char*> values;
    for (const SqlValue& p : params) values.push_back(p ? p->c_str() : nullptr);
    PGresult* result = PQexecParams(connection_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                    values.data(), nullptr, nullptr, 0);
    std::unique_ptr<PGresult, void (*)(PGresult*)> owner(result, PQclear);
    ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      std::string message = result ? first_line(PQresultErrorMessage(result)) : first_line(PQerrorMessage(connection_));
      throw Error(ErrorKind::kIo, location_, "experiment database: " + message);
    }
    std::vector<SqlRow> rows;
    int columns = PQnfields(result);
    for (int r = 0; r < PQntuples(result); ++r) {
      SqlRow row;
      for (int c = 0; c < columns; ++c) {
        if (PQgetisnull(result, r, c)) row.push_back(std::nullopt);
        else row.push_back(std::string(PQgetvalue(result, r, c), static_cast<size_t>(PQgetlength(result, r, c))));
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  void begin_write() override {
    query("BEGIN", {});
    try {
      query(std::string("SELECT pg_advisory_xact_lock(") + kWriterLockKey + ")", {});
    } catch (...) {
      rollback();
      throw;
    }
  }
  void commit() override { query("COMMIT", {}); }
  void rollback() override {
    if (PQtransactionStatus(connection_) == PQTRANS_IDLE) return;
    PGresult* result = PQexec(connection_, "ROLLBACK");
    PQclear(result);
  }
  const std::string& location() const override { return location_; }

 private:
  std::string location_;
  PGconn* connection_ = nullptr;
};

}  // namespace

std::unique_ptr<SqlConnection> connect_postgres(const std::string& url) {
  return std::make_unique<PostgresConnection>(url);
}

}  // namespace tinymlops::track::detail

// One test body, two databases: every TEST_P over BackendTest runs against SQLite
// and against a real PostgreSQL server (postgres_server.h).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "postgres_server.h"
#include "track/sql_connection.h"
#include "test_util.h"
#include "tinymlops/core/error.h"
#include "tinymlops/store/repository.h"
#include "tinymlops/track/experiment_store.h"

namespace tinymlops::testing {

enum class Backend { kSqlite, kPostgres };

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

class BackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    tracking_ = "sqlite";
    repo_.emplace(store::Repository::init(root_.path()));
    if (GetParam() == Backend::kPostgres) {
      PostgresServer& server = PostgresServer::shared();
      ASSERT_TRUE(server.running()) << server.error();
      tracking_ = server.create_database();
    }
  }

  // A new connection to this test's database, as a command would open it.
  std::unique_ptr<track::ExperimentStore> open() const { return track::open_experiment_store(root_.path(), tracking_); }

  // Runs raw SQL on this test's database (to tamper with it).
  void raw_sql(const std::string& sql) const {
    auto connection = GetParam() == Backend::kSqlite
                          ? track::detail::connect_sqlite((root_.path() / ".tinymlops" / "experiments.db").string())
                          : track::detail::connect_postgres(tracking_);
    connection->query(sql, {});
  }

  const std::filesystem::path& root() const { return root_.path(); }
  store::Repository& repo() { return *repo_; }
  const std::string& tracking() const { return tracking_; }

 private:
  TempDir root_;
  std::optional<store::Repository> repo_;
  std::string tracking_;
};

}  // namespace tinymlops::testing

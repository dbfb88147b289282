// Choosing the experiment store's backend from the `tracking` setting.
#include <system_error>

#include "sql_connection.h"
#include "tinymlops/core/error.h"
#include "tinymlops/track/experiment_store.h"

namespace tinymlops::track {

namespace detail {
std::unique_ptr<ExperimentStore> make_sql_store(std::unique_ptr<SqlConnection> connection);
}

std::unique_ptr<ExperimentStore> open_sqlite_experiment_store(const std::filesystem::path& database_file) {
  std::error_code ec;
  if (database_file.has_parent_path()) std::filesystem::create_directories(database_file.parent_path(), ec);
  if (ec) throw Error(ErrorKind::kIo, database_file.parent_path().string(), "cannot create directory: " + ec.message());
  return detail::make_sql_store(detail::connect_sqlite(database_file.string()));
}

std::unique_ptr<ExperimentStore> open_postgres_experiment_store(const std::string& url) {
  return detail::make_sql_store(detail::connect_postgres(url));
}

std::unique_ptr<ExperimentStore> open_experiment_store(const std::filesystem::path& project_root,
                                                       const std::string& tracking) {
  if (tracking.empty() || tracking == "sqlite") {
    return open_sqlite_experiment_store(project_root / ".tinymlops" / "experiments.db");
  }
  if (tracking.rfind("postgresql://", 0) == 0 || tracking.rfind("postgres://", 0) == 0) {
    return open_postgres_experiment_store(tracking);
  }
  throw Error(ErrorKind::kInvalid, "tracking",
              "expected \"sqlite\" or a postgresql:// URL, got \"" + tracking + "\"");
}

}  // namespace tinymlops::track

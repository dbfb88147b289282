// ExperimentStore over a SqlConnection: the one SQL text both backends run.
#include <charconv>
#include <random>
#include <set>

#include "sql_connection.h"
#include "tinymlops/core/error.h"
#include "tinymlops/track/experiment_store.h"

namespace tinymlops::track {

namespace detail {
std::unique_ptr<ExperimentStore> make_sql_store(std::unique_ptr<SqlConnection> connection);
}

namespace {

using detail::SqlConnection;
using detail::SqlRow;
using detail::SqlValue;
using detail::WriteTransaction;
using Json = nlohmann::ordered_json;

// Schema version 1. Types are spelled so that both databases accept them
// (SQLite maps BIGINT to INTEGER and DOUBLE PRECISION to REAL affinity).
// Row order: experiments.seq and alias_moves.seq number rows in commit order.
const char* const kSchema[] = {
    R"(CREATE TABLE experiments (
         seq BIGINT PRIMARY KEY,
         id TEXT NOT NULL UNIQUE,
         name TEXT NOT NULL,
         params TEXT NOT NULL,
         metrics TEXT NOT NULL,
         hashes TEXT NOT NULL,
         git_commit TEXT NOT NULL,
         started_at TEXT NOT NULL,
         duration_seconds DOUBLE PRECISION NOT NULL,
         status TEXT NOT NULL,
         stage TEXT NOT NULL))",
    "CREATE INDEX experiments_by_name ON experiments (name)",
    R"(CREATE TABLE model_versions (
         name TEXT NOT NULL,
         version BIGINT NOT NULL,
         sha256 TEXT NOT NULL,
         size_bytes BIGINT NOT NULL,
         source_path TEXT NOT NULL,
         metrics TEXT NOT NULL,
         experiment_id TEXT REFERENCES experiments (id),
         registered_at TEXT NOT NULL,
         PRIMARY KEY (name, version)))",
    R"(CREATE TABLE model_aliases (
         name TEXT NOT NULL,
         alias TEXT NOT NULL,
         version BIGINT NOT NULL,
         PRIMARY KEY (name, alias),
         FOREIGN KEY (name, version) REFERENCES model_versions (name, version)))",
    R"(CREATE TABLE alias_moves (
         seq BIGINT PRIMARY KEY,
         name TEXT NOT NULL,
         alias TEXT NOT NULL,
         from_version BIGINT,
         to_version BIGINT NOT NULL,
         moved_at TEXT NOT NULL,
         via TEXT NOT NULL))",
};

const char* const kExperimentColumns =
    "id, name, params, metrics, hashes, git_commit, started_at, duration_seconds, status, stage";
const char* const kVersionColumns =
    "name, version, sha256, size_bytes, source_path, metrics, experiment_id, registered_at";

int64_t to_int(const SqlValue& cell) {
  int64_t value = 0;
  if (cell) std::from_chars(cell->data(), cell->data() + cell->size(), value);
  return value;
}

double to_double(const SqlValue& cell) {
  double value = 0;
  if (cell) std::from_chars(cell->data(), cell->data() + cell->size(), value);
  return value;
}

std::string to_text(const SqlValue& cell) { return cell.value_or(""); }

std::string format_double(double value) {
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

// Stored JSON: an object (empty when none given).
std::string json_text(const Json& value) { return value.is_null() ? "{}" : value.dump(); }

std::string random_experiment_id() {
  static thread_local std::mt19937_64 generator(std::random_device{}());
  static const char* kDigits = "0123456789abcdef";
  std::string id = "exp-";
  uint64_t bits = generator();
  for (int i = 0; i < 6; ++i) id.push_back(kDigits[(bits >> (4 * i)) & 15]);
  return id;
}

class SqlExperimentStore final : public ExperimentStore {
 public:
  explicit SqlExperimentStore(std::unique_ptr<SqlConnection> connection) : db_(std::move(connection)) {
    create_or_check_schema();
  }

  std::string record(Experiment e) override {
    if (e.started_at.empty()) e.started_at = utc_now_iso8601();
    WriteTransaction transaction(*db_);
    if (e.id.empty()) {
      do e.id = random_experiment_id();
      while (!db_->query("SELECT 1 FROM experiments WHERE id = $1", {e.id}).empty());
    } else if (!db_->query("SELECT 1 FROM experiments WHERE id = $1", {e.id}).empty()) {
      throw Error(ErrorKind::kInvalid, e.id, "an experiment with this id is already recorded");
    }
    if (e.name.empty()) e.name = e.id;
    db_->query(std::string("INSERT INTO experiments (seq, ") + kExperimentColumns +
                   ") VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM experiments), "
                   "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
               {e.id, e.name, json_text(e.params), json_text(e.metrics), json_text(e.hashes), e.git_commit,
                e.started_at, format_double(e.duration_seconds), e.status, e.stage});
    transaction.commit();
    return e.id;
  }

  std::vector<Experiment> list() override {
    std::vector<Experiment> experiments;
    for (const SqlRow& row : db_->query(std::string("SELECT ") + kExperimentColumns + " FROM experiments ORDER BY seq"))
      experiments.push_back(experiment_from_row(row));
    return experiments;
  }

  Experiment get(const std::string& id_or_name) override {
    auto rows = db_->query(std::string("SELECT ") + kExperimentColumns + " FROM experiments WHERE id = $1", {id_or_name});
    if (rows.empty()) {
      rows = db_->query(std::string("SELECT ") + kExperimentColumns + " FROM experiments WHERE name = $1 ORDER BY seq",
                        {id_or_name});
    }
    if (rows.empty()) {
      throw Error(ErrorKind::kInvalid, id_or_name, "no experiment with this id or name (see `tinymlops exp show`)");
    }
    if (rows.size() > 1) {
      std::string ids;
      for (const SqlRow& row : rows) ids += (ids.empty() ? "" : ", ") + to_text(row[0]);
      throw Error(ErrorKind::kInvalid, id_or_name, "the name of " + std::to_string(rows.size()) +
                                                       " experiments (" + ids + "); give an id");
    }
    return experiment_from_row(rows[0]);
  }

  ModelVersion add_model_version(ModelVersion v) override {
    v.registered_at = utc_now_iso8601();
    WriteTransaction transaction(*db_);
    if (!v.experiment_id.empty() &&
        db_->query("SELECT 1 FROM experiments WHERE id = $1", {v.experiment_id}).empty()) {
      throw Error(ErrorKind::kInvalid, v.experiment_id, "no experiment with this id");
    }
    v.version = to_int(db_->query("SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE name = $1",
                                  {v.name})[0][0]);
    db_->query(std::string("INSERT INTO model_versions (") + kVersionColumns +
                   ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
               {v.name, std::to_string(v.version), v.sha256, std::to_string(v.size_bytes), v.source_path,
                json_text(v.metrics), v.experiment_id.empty() ? SqlValue() : SqlValue(v.experiment_id),
                v.registered_at});
    transaction.commit();
    v.aliases.clear();
    return v;
  }

  std::vector<std::string> model_names() override {
    std::vector<std::string> names;
    for (const SqlRow& row : db_->query("SELECT DISTINCT name FROM model_versions ORDER BY name"))
      names.push_back(to_text(row[0]));
    return names;
  }

  std::vector<ModelVersion> model_versions(const std::string& name) override {
    std::vector<ModelVersion> versions;
    for (const SqlRow& row : db_->query(std::string("SELECT ") + kVersionColumns +
                                            " FROM model_versions WHERE name = $1 ORDER BY version",
                                        {name}))
      versions.push_back(version_from_row(row));
    if (versions.empty()) throw unknown_model(name);
    auto aliases = db_->query("SELECT alias, version FROM model_aliases WHERE name = $1 ORDER BY alias", {name});
    for (const SqlRow& row : aliases) {
      for (ModelVersion& v : versions)
        if (v.version == to_int(row[1])) v.aliases.push_back(to_text(row[0]));
    }
    return versions;
  }

  ModelVersion model_version(const std::string& name, int64_t version) override {
    auto rows = db_->query(std::string("SELECT ") + kVersionColumns +
                               " FROM model_versions WHERE name = $1 AND version = $2",
                           {name, std::to_string(version)});
    if (rows.empty()) {
      if (db_->query("SELECT 1 FROM model_versions WHERE name = $1", {name}).empty()) throw unknown_model(name);
      throw Error(ErrorKind::kInvalid, name + "@" + std::to_string(version),
                  "no such version (see `tinymlops model versions " + name + "`)");
    }
    ModelVersion v = version_from_row(rows[0]);
    for (const SqlRow& row : db_->query("SELECT alias FROM model_aliases WHERE name = $1 AND version = $2 ORDER BY alias",
                                        {name, std::to_string(version)}))
      v.aliases.push_back(to_text(row[0]));
    return v;
  }

  int64_t alias_version(const std::string& name, const std::string& alias) override {
    auto rows = db_->query("SELECT version FROM model_aliases WHERE name = $1 AND alias = $2", {name, alias});
    if (rows.empty()) {
      if (db_->query("SELECT 1 FROM model_versions WHERE name = $1", {name}).empty()) throw unknown_model(name);
      throw Error(ErrorKind::kInvalid, name + ":" + alias, "no such alias");
    }
    return to_int(rows[0][0]);
  }

  AliasMove set_alias(const std::string& name, const std::string& alias, int64_t version,
                      const std::string& via) override {
    AliasMove move{name, alias, 0, version, utc_now_iso8601(), via};
    WriteTransaction transaction(*db_);
    if (db_->query("SELECT 1 FROM model_versions WHERE name = $1 AND version = $2", {name, std::to_string(version)})
            .empty()) {
      model_version(name, version);  // throws the right message
    }
    auto current = db_->query("SELECT version FROM model_aliases WHERE name = $1 AND alias = $2", {name, alias});
    if (!current.empty()) move.from_version = to_int(current[0][0]);
    db_->query("INSERT INTO model_aliases (name, alias, version) VALUES ($1, $2, $3) "
               "ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version",
               {name, alias, std::to_string(version)});
    db_->query("INSERT INTO alias_moves (seq, name, alias, from_version, to_version, moved_at, via) "
               "VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM alias_moves), $1, $2, $3, $4, $5, $6)",
               {name, alias, move.from_version ? SqlValue(std::to_string(move.from_version)) : SqlValue(),
                std::to_string(version), move.moved_at, via});
    transaction.commit();
    return move;
  }

  std::vector<AliasMove> alias_moves(const std::string& name) override {
    std::vector<AliasMove> moves;
    for (const SqlRow& row : db_->query("SELECT name, alias, from_version, to_version, moved_at, via "
                                        "FROM alias_moves WHERE name = $1 ORDER BY seq",
                                        {name}))
      moves.push_back({to_text(row[0]), to_text(row[1]), to_int(row[2]), to_int(row[3]), to_text(row[4]),
                       to_text(row[5])});
    return moves;
  }

  std::string location() const override { return db_->location(); }

 private:
  // Creates the tables on first open; refuses a database written by a newer schema.
  void create_or_check_schema() {
    WriteTransaction transaction(*db_);
    db_->query("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)");
    auto rows = db_->query("SELECT version FROM schema_version");
    if (rows.empty()) {
      for (const char* statement : kSchema) db_->query(statement);
      db_->query("INSERT INTO schema_version (version) VALUES ($1)", {std::to_string(kSchemaVersion)});
    } else if (to_int(rows[0][0]) > kSchemaVersion) {
      throw Error(ErrorKind::kFormat, db_->location(),
                  "experiment store schema version " + to_text(rows[0][0]) +
                      " is newer than this tinymlops reads (" + std::to_string(kSchemaVersion) + ")");
    }
    transaction.commit();
  }

  Experiment experiment_from_row(const SqlRow& row) const {
    Experiment e;
    e.id = to_text(row[0]);
    e.name = to_text(row[1]);
    e.params = parse_json(row[2], e.id);
    e.metrics = parse_json(row[3], e.id);
    e.hashes = parse_json(row[4], e.id);
    e.git_commit = to_text(row[5]);
    e.started_at = to_text(row[6]);
    e.duration_seconds = to_double(row[7]);
    e.status = to_text(row[8]);
    e.stage = to_text(row[9]);
    return e;
  }

  ModelVersion version_from_row(const SqlRow& row) const {
    ModelVersion v;
    v.name = to_text(row[0]);
    v.version = to_int(row[1]);
    v.sha256 = to_text(row[2]);
    v.size_bytes = to_int(row[3]);
    v.source_path = to_text(row[4]);
    v.metrics = parse_json(row[5], v.name + "@" + std::to_string(v.version));
    v.experiment_id = to_text(row[6]);
    v.registered_at = to_text(row[7]);
    return v;
  }

  Json parse_json(const SqlValue& cell, const std::string& what) const {
    try {
      return Json::parse(to_text(cell));
    } catch (const nlohmann::json::exception& e) {
      throw Error(ErrorKind::kFormat, db_->location(), "corrupted JSON in the record of " + what + ": " + e.what());
    }
  }

  static Error unknown_model(const std::string& name) {
    return Error(ErrorKind::kInvalid, name, "no model registered under this name (see `tinymlops model list`)");
  }

  std::unique_ptr<SqlConnection> db_;
};

}  // namespace

namespace detail {
std::unique_ptr<ExperimentStore> make_sql_store(std::unique_ptr<SqlConnection> connection) {
  return std::make_unique<SqlExperimentStore>(std::move(connection));
}
}  // namespace detail

}  // namespace tinymlops::track

// The experiment store: experiments and the model registry in one SQL database.
//
// Two backends with the same behaviour and the same SQL: SQLite (the default, one
// file at <root>/.tinymlops/experiments.db) and PostgreSQL through libpq for teams
// (`tracking: postgresql://user@host/db` in tinymlops.yaml). The schema is versioned
// (table schema_version) and created on first open. Every write is one transaction
// that excludes other writers (SQLite BEGIN IMMEDIATE, PostgreSQL an advisory
// transaction lock), so concurrent commands never lose rows. Params, metrics and
// hashes are stored as JSON text. Lists come back in a fixed order.
//
// Example:
//
//   auto store = track::open_experiment_store(project_root, "sqlite");
//   std::string id = store->record(experiment);
//   for (const track::Experiment& e : store->list()) ...;     // oldest first
//
// A store object is used by one thread at a time; open one per thread.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tinymlops/track/experiment.h"

namespace tinymlops::track {

// The schema version this build creates and reads. A database with a newer
// version is refused with Error(kFormat).
inline constexpr int kSchemaVersion = 1;

class ExperimentStore {
 public:
  virtual ~ExperimentStore() = default;

  // Experiments ------------------------------------------------------------
  // Stores `e` and returns its id. Fills id ("exp-" + 6 random hex digits, unique
  // in the store), name (= id) and started_at (now) when they are empty. Throws
  // Error(kInvalid) when the given id is already recorded.
  virtual std::string record(Experiment e) = 0;
  // Every experiment, oldest (first recorded) first.
  virtual std::vector<Experiment> list() = 0;
  // The experiment with this id, else the one with this name. Throws Error(kInvalid)
  // naming the argument when there is none, or when a name matches several (listing their ids).
  virtual Experiment get(const std::string& id_or_name) = 0;

  // Registry ---------------------------------------------------------------
  // Adds the next version of v.name (1 when the name is new) and returns it as stored
  // (version and registered_at set). v.experiment_id, when not empty, must be recorded.
  virtual ModelVersion add_model_version(ModelVersion v) = 0;
  // Registered model names, sorted.
  virtual std::vector<std::string> model_names() = 0;
  // Every version of `name`, oldest first; Error(kInvalid) when the name is unknown.
  virtual std::vector<ModelVersion> model_versions(const std::string& name) = 0;
  // One version; Error(kInvalid) naming "NAME@VERSION" when it is not registered.
  virtual ModelVersion model_version(const std::string& name, int64_t version) = 0;
  // The version `alias` points at; Error(kInvalid) naming "NAME:ALIAS" when unset.
  virtual int64_t alias_version(const std::string& name, const std::string& alias) = 0;
  // Points `alias` of `name` at `version` (which must exist) and records the move
  // (`via` says which command did it). Returns the recorded move.
  virtual AliasMove set_alias(const std::string& name, const std::string& alias, int64_t version,
                              const std::string& via) = 0;
  // Every alias move of `name`, oldest first.
  virtual std::vector<AliasMove> alias_moves(const std::string& name) = 0;

  // Where the data lives, for messages: the database file, or the URL without password.
  virtual std::string location() const = 0;
};

// `tracking` is "sqlite" (or "") for <project_root>/.tinymlops/experiments.db, or a
// libpq URL starting with postgresql:// or postgres://. Anything else is Error(kInvalid)
// with location "tracking". A server that cannot be reached is Error(kIo).
std::unique_ptr<ExperimentStore> open_experiment_store(const std::filesystem::path& project_root,
                                                       const std::string& tracking);

// The two backends directly (tests, tools). The SQLite file and its directory are
// created when missing.
std::unique_ptr<ExperimentStore> open_sqlite_experiment_store(const std::filesystem::path& database_file);
std::unique_ptr<ExperimentStore> open_postgres_experiment_store(const std::string& url);

}  // namespace tinymlops::track

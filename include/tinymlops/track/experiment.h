// Experiments and registered model versions: the records the experiment store keeps.
//
// An Experiment is one run of the pipeline with its parameters, the metrics it
// produced and the content hashes of its data and model files. A ModelVersion is
// one registered copy of a model file, numbered 1, 2, 3... per model name, with the
// metrics the gates are checked against and, for lineage, the experiment that made it.
//
// Example (what `exp run` does after the pipeline finishes):
//
//   track::Experiment e;
//   e.params = track::flatten_json(params_yaml_as_json);   // {"train.epochs": 20}
//   e.metrics = track::flatten_json(metrics_json);          // {"accuracy": 0.97}
//   e.hashes = {{"data/train.csv", "9f86d0..."}, {"model.tmlm", "2c26b4..."}};
//   e.status = "success";
//   std::string id = store->record(e);                      // "exp-3f2a9c"
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tinymlops::track {

struct Experiment {
  std::string id;                   // assigned by record() when empty: "exp-" + 6 hex digits
  std::string name;                 // user-given; record() sets it to the id when empty
  nlohmann::ordered_json params;    // flattened: "train.epochs": 20 ...
  nlohmann::ordered_json metrics;   // flattened: "accuracy": 0.97 ...
  nlohmann::ordered_json hashes;    // path -> sha256 of deps and outs (data and model)
  std::string git_commit;           // "" when not in a git repository
  std::string started_at;           // ISO 8601 UTC; record() sets it to now when empty
  double duration_seconds = 0;
  std::string status;               // "success" | "failed"
  std::string stage;                // pipeline stage that produced the model ("" if none)
};

struct ModelVersion {
  std::string name;
  int64_t version = 0;              // assigned by the store: 1, 2, 3... per name
  std::string sha256;               // of the registered file's content
  int64_t size_bytes = 0;
  std::string source_path;          // the registered file: relative to the project root when inside it
  nlohmann::ordered_json metrics;   // flattened; what the gates are evaluated against
  std::string experiment_id;        // lineage; "" when registered from a plain file
  std::string registered_at;        // ISO 8601 UTC, set by the store
  std::vector<std::string> aliases; // aliases pointing at this version, sorted (read-only)
};

// One move of an alias, as recorded by ExperimentStore::set_alias.
struct AliasMove {
  std::string name;
  std::string alias;
  int64_t from_version = 0;         // 0 when the alias did not exist before
  int64_t to_version = 0;
  std::string moved_at;             // ISO 8601 UTC
  std::string via;                  // "alias" or "promote": the command that moved it
};

// {"train": {"epochs": 20}, "seed": 1} -> {"train.epochs": 20, "seed": 1}. Arrays and
// scalars are kept as values; key order is kept. A non-object `value` is returned as is.
nlohmann::ordered_json flatten_json(const nlohmann::ordered_json& value);

// The current time as ISO 8601 UTC with seconds: "2024-05-01T12:00:00Z".
std::string utc_now_iso8601();

// JSON forms used by `--json` output: every field by its name above.
nlohmann::ordered_json to_json(const Experiment& experiment);
nlohmann::ordered_json to_json(const ModelVersion& version);
nlohmann::ordered_json to_json(const AliasMove& move);

}  // namespace tinymlops::track

// The model registry on top of the experiment store: register files, resolve
// references, promote through the gates, and trace a version back to its experiment.
//
// Example (what `model register`, `model promote` and `model lineage` do):
//
//   auto store = track::open_experiment_store(root, config.tracking);
//   track::RegisterRequest request{.name = "kws", .file = "model.tmlm", .from_experiment = "exp-3f2a9c"};
//   track::ModelVersion v = track::register_model(*store, root, request);       // kws@1
//   track::promote_model(*store, "kws", v.version, "production", config.gates);  // throws if a gate fails
//   track::Lineage lineage = track::model_lineage(*store, track::parse_model_ref("kws:production"));
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tinymlops/store/repository.h"
#include "tinymlops/track/experiment_store.h"
#include "tinymlops/track/gates.h"

namespace tinymlops::track {

// Model and alias names: letters, digits, '_', '.', '-'; not empty, at most 100 characters.
// Throws Error(kUsage) naming `what` ("model name", "alias") otherwise.
void check_registry_name(const std::string& name, const std::string& what);

// The sha256 of every registered version of every model, sorted and without repeats:
// what the registry keeps alive (e.g. for the store's set_references("registry", ...)).
std::vector<std::string> registered_hashes(ExperimentStore& store);

struct RegisterRequest {
  std::string name;
  std::filesystem::path file;            // a regular file
  std::filesystem::path metrics_file;    // optional JSON object of metrics (nested objects flattened)
  std::string from_experiment;           // optional experiment id or name, for metrics and lineage
};

// Registers request.file as the next version of request.name. The version's metrics are
// the experiment's metrics (when from_experiment is set) overridden by the metrics file's
// (when set). The file's bytes go into the project's content-addressed cache
// (repo.save), and every registered hash stays referenced by the owner "registry", so
// `gc` never drops a registered model. Throws Error naming the file or experiment
// when one cannot be used.
ModelVersion register_model(ExperimentStore& store, store::Repository& repo, const RegisterRequest& request);

// "NAME" (latest version), "NAME@VERSION" or "NAME:ALIAS".
struct ModelRef {
  std::string name;
  int64_t version = 0;   // 0 when not given
  std::string alias;     // "" when not given
};
// Throws Error(kUsage) naming `text` when it is none of the forms above.
ModelRef parse_model_ref(const std::string& text);
ModelVersion resolve_model_ref(ExperimentStore& store, const ModelRef& ref);

struct Promotion {
  std::vector<GateResult> gates;  // every gate, in order, all passed
  AliasMove move;
};
// Evaluates `gates` against version `version` of `name`; when all pass, points `alias`
// at it (recorded with via "promote"). When one fails, throws Error(kInvalid) with
// location "NAME@VERSION" and the first failing gate's message (plus how many more
// failed), and the alias is not moved. Gates that do not parse: Error(kParse) at
// `gate_source` + "[i]".
Promotion promote_model(ExperimentStore& store, const std::string& name, int64_t version, const std::string& alias,
                        const std::vector<std::string>& gates, const std::string& gate_source = "gates");

struct Lineage {
  ModelVersion model;
  std::optional<Experiment> experiment;  // when registered from one
  std::string produced_as;               // the experiment's output path with the model's hash, or ""
  std::vector<AliasMove> alias_moves;    // of this model name, oldest first
};
// With `project_root`, an experiment recorded without a stage gets the stage that
// wrote `produced_as` with the model's hash in ROOT/pipeline.lock (exp run records
// whole pipelines).
Lineage model_lineage(ExperimentStore& store, const ModelRef& ref, const std::filesystem::path& project_root = {});

}  // namespace tinymlops::track

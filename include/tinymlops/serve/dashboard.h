// The documents behind the web dashboard (`tinymlops ui`, docs/dashboard.md): a
// project's experiments, training curves, registered models and compression
// variants as JSON, one function per /api/... endpoint of dashboard_server.h.
//
// Every call opens the project's repository and experiment store afresh and
// closes them before it returns: a store object belongs to one thread (the server
// answers on several), and an experiment recorded while the dashboard runs shows
// up on the next request. Nothing is written.
//
// Example:
//
//   serve::DashboardData data("/path/to/project");
//   nlohmann::ordered_json table = data.experiments();   // {"params": [...], "metrics": [...], "experiments": [...]}
//   nlohmann::ordered_json diff = data.compare("exp-3f2a9c", "baseline");
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace tinymlops::serve {

class DashboardData {
 public:
  // `project_root` holds .tinymlops/ (Repository::open searches upward from it).
  explicit DashboardData(std::filesystem::path project_root);

  // {"root", "store": where the experiments live, "tracking", "gates": [...],
  //  "experiments": count, "models": count, "version": tinymlops version}
  nlohmann::ordered_json project() const;

  // {"params": [keys], "metrics": [keys], "experiments": [to_json(Experiment)...]}, oldest
  // first. The key lists hold every key of any experiment in first-seen order; per-round
  // metrics ("round.N.NAME", from federated runs) are left out of "metrics" (they
  // are curves, see curves()) but stay in each experiment's "metrics".
  nlohmann::ordered_json experiments() const;

  // Params and metrics of two experiments (ids or names) side by side: diff_json of
  // track/report.h ({"a", "b", "rows": [{"section", "key", "a", "b", "delta"}]}), each
  // row also with "differs": whether the values are not equal. Error(kInvalid) naming
  // an unknown experiment.
  nlohmann::ordered_json compare(const std::string& a, const std::string& b) const;

  // Training curves of every experiment: {"curves": [{"experiment", "name", "source",
  // "x_name", "x": [...], "series": [{"name", "y": [...]}]}], "warnings": [...]}.
  // Two sources:
  //  - the plots files pipeline.yaml declares (CSV or JSON, pipeline/plots.h), as
  //    recorded in the experiment's hashes and read back from the project's cache
  //    (so every experiment shows its own curve, not the file in the workspace);
  //  - per-round metrics "round.N.NAME" (federated runs): x "round", a series per NAME.
  // A plots file that is not in the cache or does not parse becomes a warning, not
  // an error; so does a pipeline.yaml that does not load.
  nlohmann::ordered_json curves() const;

  // {"gates": [...], "models": [{"name", "versions": [to_json(ModelVersion) + "gates":
  // [{"gate", "passed", "actual", "message"}] + "gates_passed": bool], "alias_moves":
  // [...]}]}. The gates are tinymlops.yaml's, evaluated against each version's metrics.
  nlohmann::ordered_json models() const;

  // lineage_json of track/report.h for "NAME", "NAME@VERSION" or "NAME:ALIAS".
  nlohmann::ordered_json lineage(const std::string& ref) const;

  // The compression table of model `name`: one row per registered version (each a
  // variant of the model: float .tmlm, int8 .tdm, ...), {"model", "rows": [{"version",
  // "aliases", "variant", "source_path", "size_bytes", "ratio", "accuracy",
  // "accuracy_metric", "delta_accuracy"}]}.
  //  - variant: the version's metric "variant" (what `quantize --json` reports, when
  //    the report was registered with --metrics), else "float32" for a .tmlm file,
  //    else the file's extension;
  //  - size_bytes: the registered file's size; ratio: version 1's size / this size;
  //  - accuracy: the metric "accuracy", else "after.accuracy" (a quantize report),
  //    else null; delta_accuracy: this accuracy - version 1's, in points (x100).
  // Error(kInvalid) when the model is not registered.
  nlohmann::ordered_json compression(const std::string& name) const;

 private:
  std::filesystem::path root_;
};

}  // namespace tinymlops::serve

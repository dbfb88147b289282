// Running a pipeline: which stages are stale and why, and `repro`.
//
//   store::Repository repo = open_pipeline_store(root);
//   StoreOutputCache cache(repo);
//   ReproOptions options;
//   options.jobs = 2;
//   options.param_overrides = {"train.epochs=20"};   // like `dvc exp run -S`
//   ReproResult result = repro(root, cache, options);
//   throw_if_failed(result);
//
// A stage is up to date when its cmd, dep hashes and params values equal those in
// pipeline.lock AND each of its outputs exists with the recorded hash.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "tinymlops/pipeline/output_cache.h"
#include "tinymlops/pipeline/pipeline.h"

namespace tinymlops::pipeline {

struct StageStatus {
  std::string stage;
  bool up_to_date = false;
  // Why it must run, e.g. "never run", "cmd changed", "changed dep data.csv",
  // "changed param params.yaml:train.epochs", "missing out model.bin",
  // "changed out model.bin", "upstream stage prepare changed", "forced".
  std::vector<std::string> reasons;
};

// The status of `stages` (indices, in the order given) against pipeline.lock.
// A stage downstream of a stale one is reported stale too ("upstream stage X changed").
std::vector<StageStatus> stage_statuses(const Pipeline& pipeline, OutputCache& cache,
                                        const std::vector<size_t>& stages, bool force = false);

// {"stage": {"up_to_date": bool, "reasons": [...]}, ...} in the order given.
nlohmann::ordered_json statuses_to_json(const std::vector<StageStatus>& statuses);

struct ReproOptions {
  std::vector<std::string> targets;          // stage names; empty: every stage
  int jobs = 1;                              // stages run at once (>= 1)
  bool dry_run = false;                      // report what would run, change nothing
  bool force = false;                        // run the needed stages even when up to date
  std::vector<std::string> param_overrides;  // "key=value" / "FILE:key=value", see params.h
  bool use_run_cache = true;
  // Progress lines ("Running stage 'x': cmd") and the commands' stdout/stderr
  // (prefixed "[stage] " when jobs > 1). nullptr: std::cout.
  std::ostream* log = nullptr;
};

enum class StageAction { kUpToDate, kRan, kRestored, kWouldRun, kFailed, kNotRun };

// "up to date", "ran", "restored from run cache", "would run", "failed", "not run".
const char* stage_action_name(StageAction action);

struct StageOutcome {
  std::string stage;
  StageAction action = StageAction::kNotRun;
  std::vector<std::string> reasons;  // why it ran (or would run)
  int exit_status = 0;               // of the command, when it ran
  double seconds = 0;                // wall time of the command or restore
};

struct ReproResult {
  std::vector<StageOutcome> stages;  // the needed stages, in topological order
  std::string failed_stage;          // "" when every stage succeeded
  int failed_status = 0;             // exit status of the failed command (-1: signal or error)
  std::string failure;               // one line describing the failure
  double seconds = 0;
  // After the run (workspace values), for experiment tracking:
  nlohmann::ordered_json params;   // "FILE:key" ("key" for params.yaml) -> value, every stage's params
  nlohmann::ordered_json metrics;  // flattened metric key -> value over all metrics files
  nlohmann::ordered_json hashes;   // project-relative path -> hash, every dep and output that exists

  bool ok() const { return failed_stage.empty(); }
  std::vector<std::string> names_with(StageAction action) const;
};

// Applies options.param_overrides to the params files, loads root/pipeline.yaml
// and brings the needed stages up to date, in dependency order, up to
// options.jobs at a time. Per stage: skip when up to date; else restore the
// outputs from the run cache when the same (cmd, dep hashes, params) ran before;
// else delete its declared outputs, run `/bin/sh -c cmd` in its wdir and check
// that every declared output exists. pipeline.lock is rewritten after every
// stage that succeeds. At the first failure no new stage starts, the running
// ones finish, and the result names the failed stage (the lock keeps every
// success). Errors in the pipeline itself (validation) are thrown.
ReproResult repro(const std::filesystem::path& root, OutputCache& cache, const ReproOptions& options);

// Throws Error(kInvalid, "stage NAME", failure) when the result has a failure.
void throw_if_failed(const ReproResult& result);

}  // namespace tinymlops::pipeline

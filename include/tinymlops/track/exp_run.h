// `tinymlops exp run`: run the pipeline with overridden params and record the
// experiment (params, metrics, data and model hashes, git commit, duration, status).
//
//   store::Repository repo = store::Repository::open(".");
//   auto experiments = track::open_experiment_store(repo.root(), repo.config().tracking);
//   track::ExpRunOptions options;
//   options.set_params = {"train.epochs=20"};
//   track::ExpRunResult run = track::run_experiment(repo, *experiments, ".", options);
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "tinymlops/pipeline/repro.h"
#include "tinymlops/store/repository.h"
#include "tinymlops/track/experiment_store.h"

namespace tinymlops::track {

struct ExpRunOptions {
  std::vector<std::string> set_params;  // "key=value" / "FILE:key=value", written to the params files
  std::string name;                     // "" : the experiment's id
  std::vector<std::string> targets;     // stages to bring up to date; empty: all
  int jobs = 1;
  std::ostream* log = nullptr;          // the pipeline's output; nullptr: std::cout
};

struct ExpRunResult {
  Experiment experiment;           // as recorded (id assigned)
  pipeline::ReproResult repro;
};

// Runs `repro` of the pipeline at `pipeline_root` with the overrides and records
// the experiment in `experiments`, also when a stage fails (status "failed"; the
// result then names the stage). Errors in the pipeline itself (validation, a bad
// override) are thrown and nothing is recorded.
ExpRunResult run_experiment(store::Repository& repo, ExperimentStore& experiments,
                            const std::filesystem::path& pipeline_root, const ExpRunOptions& options);

// The commit checked out in the git work tree holding `dir` (40 hex digits), or ""
// when `dir` is not in a git repository or git is not installed.
std::string git_commit_of(const std::filesystem::path& dir);

}  // namespace tinymlops::track

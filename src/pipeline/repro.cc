// repro: brings the needed stages up to date, up to `jobs` at a time.
//
// Threads: the calling thread schedules; each running stage has a worker
// thread. Workers touch the OutputCache, the lock snapshot and the log only
// under the executor's mutexes; pipeline.lock is written only by the
// scheduling thread, after each stage that succeeds.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "pipeline/graph.h"
#include "pipeline/run_cache.h"
#include "pipeline/shell.h"
#include "pipeline/stage_state.h"
#include "tinymlops/core/error.h"
#include "tinymlops/pipeline/metrics.h"
#include "tinymlops/pipeline/params.h"
#include "tinymlops/pipeline/repro.h"

namespace tinymlops::pipeline {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

class Executor {
 public:
  Executor(const Pipeline& pipeline, OutputCache& cache, const ReproOptions& options)
      : pipeline_(pipeline),
        cache_(cache),
        options_(options),
        log_(options.log != nullptr ? *options.log : std::cout),
        params_(pipeline.root),
        runs_(pipeline.root / ".tinymlops" / "runcache" / "runs"),
        lock_(read_lock(pipeline.root / "pipeline.lock")) {
    lock_.order.clear();  // the lock follows the pipeline's current order
    for (size_t i : topological_order(pipeline)) lock_.order.push_back(pipeline.stages[i].name);
  }

  ReproResult run(const std::vector<size_t>& needed) {
    ReproResult result;
    std::vector<size_t> waiting(pipeline_.stages.size(), 0);
    std::vector<bool> is_needed(pipeline_.stages.size(), false);
    for (size_t i : needed) is_needed[i] = true;
    std::set<size_t> ready;  // by position in `needed` (topological)
    std::vector<size_t> position(pipeline_.stages.size(), 0);
    for (size_t p = 0; p < needed.size(); ++p) {
      const size_t i = needed[p];
      position[i] = p;
      for (size_t up : pipeline_.upstream[i]) waiting[i] += is_needed[up] ? 1 : 0;
      result.stages.push_back({pipeline_.stages[i].name, StageAction::kNotRun, {}, 0, 0});
    }
    for (size_t i : needed) {
      if (waiting[i] == 0) ready.insert(position[i]);
    }
    const auto downstream = downstream_of(pipeline_.upstream);
    std::map<size_t, std::thread> running;
    bool failed = false;
    const size_t jobs = static_cast<size_t>(std::max(1, options_.jobs));
    // A thread must be joined before it is destroyed, even when writing the lock fails.
    try {
      while (true) {
        while (!failed && running.size() < jobs && !ready.empty()) {
          const size_t stage = needed[*ready.begin()];
          ready.erase(ready.begin());
          running.emplace(stage, std::thread([this, stage] { work(stage); }));
        }
        if (running.empty()) break;
        Finished done = wait_for_finished();
        running.at(done.stage).join();
        running.erase(done.stage);
        StageOutcome& outcome = result.stages[position[done.stage]];
        outcome = done.outcome;
        if (outcome.action == StageAction::kFailed) {
          if (!failed) {
            failed = true;
            result.failed_stage = outcome.stage;
            result.failed_status = outcome.exit_status;
            result.failure = done.failure;
          }
          continue;
        }
        if (outcome.action == StageAction::kRan || outcome.action == StageAction::kRestored) {
          std::lock_guard<std::mutex> guard(state_mutex_);
          lock_.stages[outcome.stage] = done.entry;
          write_lock(pipeline_.root / "pipeline.lock", pruned_lock());
        }
        for (size_t d : downstream[done.stage]) {
          if (is_needed[d] && --waiting[d] == 0) ready.insert(position[d]);
        }
      }
    } catch (...) {
      for (auto& [stage, thread] : running) thread.join();
      throw;
    }
    keep_references();
    return result;
  }

 private:
  struct Finished {
    size_t stage = 0;
    StageOutcome outcome;
    LockedStage entry;
    std::string failure;
  };

  Finished wait_for_finished() {
    std::unique_lock<std::mutex> guard(finished_mutex_);
    finished_cv_.wait(guard, [this] { return !finished_.empty(); });
    Finished done = std::move(finished_.front());
    finished_.pop_front();
    return done;
  }

  // The lock without entries for stages the pipeline no longer has.
  LockFile pruned_lock() const {
    LockFile lock;
    lock.order = lock_.order;
    for (const Stage& stage : pipeline_.stages) {
      if (auto it = lock_.stages.find(stage.name); it != lock_.stages.end()) lock.stages.insert(*it);
    }
    return lock;
  }

  void say(const std::string& line) {
    std::lock_guard<std::mutex> guard(log_mutex_);
    log_ << line << "\n" << std::flush;
  }

  void work(size_t index) {
    Finished done;
    done.stage = index;
    done.outcome.stage = pipeline_.stages[index].name;
    const auto start = Clock::now();
    try {
      execute(pipeline_.stages[index], done);
    } catch (const std::exception& e) {
      done.outcome.action = StageAction::kFailed;
      done.outcome.exit_status = -1;
      done.failure = e.what();
    }
    done.outcome.seconds = seconds_since(start);
    std::lock_guard<std::mutex> guard(finished_mutex_);
    finished_.push_back(std::move(done));
    finished_cv_.notify_one();
  }

  void execute(const Stage& stage, Finished& done) {
    StageInputs inputs;
    std::vector<std::string> reasons;
    std::optional<std::vector<PathHash>> cached;
    std::string key;
    {
      std::lock_guard<std::mutex> guard(state_mutex_);
      inputs = current_inputs(pipeline_, stage, cache_, params_);
      reasons = stale_reasons(pipeline_, stage, inputs, lock_.find(stage.name), cache_);
      if (reasons.empty() && !options_.force) {
        done.outcome.action = StageAction::kUpToDate;
        say("Stage '" + stage.name + "' is up to date");
        return;
      }
      if (reasons.empty()) reasons.push_back("forced");
      for (const PathHash& dep : inputs.deps) {
        if (dep.hash.empty()) throw Error(ErrorKind::kIo, dep.path, "dep of stage '" + stage.name + "' does not exist");
      }
      key = run_cache_key(stage, inputs);
      if (options_.use_run_cache && !options_.force) cached = runs_.find(key);
      if (cached && !std::all_of(cached->begin(), cached->end(), [&](const PathHash& o) { return cache_.contains(o.hash); })) {
        cached.reset();
      }
      if (cached) {
        for (const PathHash& out : *cached) cache_.restore(out.hash, in_project(pipeline_, out.path));
      }
    }
    done.outcome.reasons = reasons;
    std::vector<PathHash> outputs;
    if (cached) {
      outputs = *cached;
      done.outcome.action = StageAction::kRestored;
      say("Stage '" + stage.name + "' restored from run cache");
    } else {
      const int status = run_command(stage, reasons);
      done.outcome.exit_status = status;
      if (status != 0) {
        done.outcome.action = StageAction::kFailed;
        done.failure = "command failed with exit status " + std::to_string(status) + ": " + stage.cmd;
        say("Stage '" + stage.name + "' failed with exit status " + std::to_string(status));
        return;
      }
      for (const std::string& out : stage.all_outputs()) {
        if (!fs::exists(in_project(pipeline_, out))) {
          done.outcome.action = StageAction::kFailed;
          done.failure = "the command did not create the declared output '" + out + "'";
          say("Stage '" + stage.name + "' did not create its output '" + out + "'");
          return;
        }
      }
      std::lock_guard<std::mutex> guard(state_mutex_);
      for (const std::string& out : stage.all_outputs()) outputs.push_back({out, cache_.save(in_project(pipeline_, out))});
      runs_.record(key, outputs);
      done.outcome.action = StageAction::kRan;
    }
    done.entry.cmd = stage.cmd;
    done.entry.deps = inputs.deps;
    done.entry.params = inputs.params;
    done.entry.outs = outputs;
    for (const std::string& file : stage.metrics) done.entry.metrics[file] = read_metrics_file(in_project(pipeline_, file));
  }

  // Deletes the stage's outputs, runs its command, returns the exit status.
  int run_command(const Stage& stage, const std::vector<std::string>& reasons) {
    for (const std::string& out : stage.all_outputs()) {
      const fs::path path = in_project(pipeline_, out);
      fs::remove_all(path);
      fs::create_directories(path.parent_path());  // the command writes into it
    }
    std::string why;
    for (const std::string& r : reasons) why += (why.empty() ? "" : ", ") + r;
    say("Running stage '" + stage.name + "' (" + why + "):\n> " + stage.cmd);
    const std::string prefix = options_.jobs > 1 ? "[" + stage.name + "] " : "";
    return run_shell(stage.cmd, pipeline_.root / stage.wdir, [&](const std::string& line) { say(prefix + line); });
  }

  void keep_references() {
    std::vector<std::string> locked;
    for (const auto& [name, entry] : lock_.stages) {
      for (const PathHash& out : entry.outs) locked.push_back(out.hash);
    }
    cache_.keep("pipeline.lock", locked);
    cache_.keep("run-cache", runs_.all_hashes());
  }

  const Pipeline& pipeline_;
  OutputCache& cache_;
  const ReproOptions& options_;
  std::ostream& log_;
  ParamFiles params_;
  RunCache runs_;
  LockFile lock_;
  std::mutex state_mutex_;  // cache_, params_, runs_, lock_
  std::mutex log_mutex_;
  std::mutex finished_mutex_;
  std::condition_variable finished_cv_;
  std::deque<Finished> finished_;
};

// Workspace values after the run, for experiment tracking.
void describe_workspace(const Pipeline& pipeline, const std::vector<size_t>& needed, ReproResult& result) {
  ParamFiles params(pipeline.root);
  result.params = nlohmann::ordered_json::object();
  result.metrics = nlohmann::ordered_json::object();
  result.hashes = nlohmann::ordered_json::object();
  for (const Stage& stage : pipeline.stages) {
    for (const ParamRef& ref : stage.params) result.params[param_label(ref.file, ref.key)] = params.value(ref);
  }
  const nlohmann::ordered_json metrics = collect_metrics(pipeline);
  for (const auto& [file, values] : metrics.items()) {
    if (!values.is_object()) continue;
    for (const auto& [key, value] : values.items()) {
      result.metrics[result.metrics.contains(key) ? file + ":" + key : key] = value;
    }
  }
  const LockFile lock = read_lock(pipeline.root / "pipeline.lock");
  for (size_t i : needed) {
    const LockedStage* entry = lock.find(pipeline.stages[i].name);
    if (entry == nullptr) continue;
    for (const PathHash& dep : entry->deps) result.hashes[dep.path] = dep.hash;
    for (const PathHash& out : entry->outs) result.hashes[out.path] = out.hash;
  }
}

}  // namespace

ReproResult repro(const fs::path& root, OutputCache& cache, const ReproOptions& options) {
  const auto start = Clock::now();
  if (options.jobs < 1) throw Error(ErrorKind::kUsage, "-j", "needs at least 1 job");
  if (!options.param_overrides.empty()) apply_param_overrides(root, options.param_overrides);
  const Pipeline pipeline = load_pipeline(root);
  const std::vector<size_t> needed = stages_to_run(pipeline, options.targets);
  ReproResult result;
  if (options.dry_run) {
    std::ostream& log = options.log != nullptr ? *options.log : std::cout;
    for (const StageStatus& status : stage_statuses(pipeline, cache, needed, options.force)) {
      StageOutcome outcome{status.stage, status.up_to_date ? StageAction::kUpToDate : StageAction::kWouldRun,
                           status.reasons, 0, 0};
      std::string why;
      for (const std::string& r : status.reasons) why += (why.empty() ? "" : ", ") + r;
      log << (status.up_to_date ? "Stage '" + status.stage + "' is up to date"
                                : "Would run stage '" + status.stage + "' (" + why + ")")
          << "\n";
      result.stages.push_back(std::move(outcome));
    }
  } else {
    Executor executor(pipeline, cache, options);
    result = executor.run(needed);
  }
  describe_workspace(pipeline, needed, result);
  result.seconds = seconds_since(start);
  return result;
}

}  // namespace tinymlops::pipeline

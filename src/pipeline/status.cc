// stage_statuses: which stages are stale and why, without running anything.
#include <algorithm>

#include "pipeline/stage_state.h"
#include "tinymlops/core/error.h"
#include "tinymlops/pipeline/repro.h"

namespace tinymlops::pipeline {

std::vector<StageStatus> stage_statuses(const Pipeline& pipeline, OutputCache& cache, const std::vector<size_t>& stages,
                                        bool force) {
  const LockFile lock = read_lock(pipeline.root / "pipeline.lock");
  ParamFiles params(pipeline.root);
  std::vector<bool> stale(pipeline.stages.size(), false);
  std::vector<StageStatus> statuses;
  // Upstream stages are evaluated first so "upstream stage X changed" is known.
  std::vector<size_t> order = topological_order(pipeline);
  for (size_t i : order) {
    if (std::find(stages.begin(), stages.end(), i) == stages.end()) continue;
    const Stage& stage = pipeline.stages[i];
    StageStatus status;
    status.stage = stage.name;
    const StageInputs inputs = current_inputs(pipeline, stage, cache, params);
    status.reasons = stale_reasons(pipeline, stage, inputs, lock.find(stage.name), cache);
    const bool never_run = status.reasons == std::vector<std::string>{"never run"};
    for (size_t up : pipeline.upstream[i]) {
      if (stale[up] && !never_run) status.reasons.push_back("upstream stage " + pipeline.stages[up].name + " changed");
    }
    if (force && status.reasons.empty()) status.reasons.push_back("forced");
    status.up_to_date = status.reasons.empty();
    stale[i] = !status.up_to_date;
    statuses.push_back(std::move(status));
  }
  // Back to the caller's order.
  std::vector<StageStatus> ordered;
  for (size_t i : stages) {
    for (StageStatus& s : statuses) {
      if (s.stage == pipeline.stages[i].name) ordered.push_back(s);
    }
  }
  return ordered;
}

nlohmann::ordered_json statuses_to_json(const std::vector<StageStatus>& statuses) {
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  for (const StageStatus& s : statuses) json[s.stage] = {{"up_to_date", s.up_to_date}, {"reasons", s.reasons}};
  return json;
}

const char* stage_action_name(StageAction action) {
  switch (action) {
    case StageAction::kUpToDate: return "up to date";
    case StageAction::kRan: return "ran";
    case StageAction::kRestored: return "restored from run cache";
    case StageAction::kWouldRun: return "would run";
    case StageAction::kFailed: return "failed";
    case StageAction::kNotRun: return "not run";
  }
  return "?";
}

std::vector<std::string> ReproResult::names_with(StageAction action) const {
  std::vector<std::string> names;
  for (const StageOutcome& s : stages) {
    if (s.action == action) names.push_back(s.stage);
  }
  return names;
}

void throw_if_failed(const ReproResult& result) {
  if (!result.ok()) throw Error(ErrorKind::kInvalid, "stage " + result.failed_stage, result.failure);
}

}  // namespace tinymlops::pipeline

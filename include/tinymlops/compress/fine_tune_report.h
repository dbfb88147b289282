// What the prune and cluster reports share: the rows a job fine-tuned on and
// measured on, the task's metrics of the model before and after, and the float
// model file it wrote. PruneReport (prune_job.h) and ClusterReport
// (cluster_job.h) each hold one, and their to_json puts its keys among their own:
//
//   {...,"split","train_rows","eval_rows",...,"before":{...},"after":{...},"drop",
//    ...,"model","file_bytes"}
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace tinymlops {

struct FineTuneReport {
  std::string split;      // which rows were used (HeldOutRows::split), e.g. "the model's training split"
  size_t train_rows = 0;  // rows fine-tuned on
  size_t eval_rows = 0;   // held-out rows measured on
  // When eval_rows > 0: the task's metrics (metrics.h) of the model before and
  // after the job on the held-out rows, and the accuracy points lost
  // (classification) or RMSE gained (regression).
  nlohmann::ordered_json before, after;
  double drop = 0;
  std::string model;      // the float model file written (.tmlm), or empty when none was
  size_t file_bytes = 0;  // its size in bytes
};

}  // namespace tinymlops

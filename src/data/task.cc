#include "tinymlops/core/error.h"
#include "tinymlops/data/dataset.h"

namespace tinymlops {

const char* task_name(Task task) {
  return task == Task::kClassification ? "classification" : "regression";
}

Task parse_task(const std::string& name) {
  if (name == "classification") return Task::kClassification;
  if (name == "regression") return Task::kRegression;
  throw Error(ErrorKind::kUsage, "", "unknown task '" + name + "' (expected classification or regression)");
}

}  // namespace tinymlops

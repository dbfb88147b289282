// Learning-rate schedules.
#pragma once

#include <string>

namespace tinymlops {

enum class ScheduleKind {
  kConstant,
  kStep,      // lr * gamma^floor(epoch / step_epochs)
  kCosine,    // from lr down to lr * min_fraction along a half cosine over all steps
  kOneCycle,  // warm up from lr/25 to lr over pct_start of the steps, then anneal to lr/1e4 (cosine)
  kCount,
};
const char* schedule_name(ScheduleKind kind);  // "constant", "step", "cosine", "one_cycle"
ScheduleKind parse_schedule(const std::string& name);  // throws Error(kUsage)

struct ScheduleConfig {
  ScheduleKind kind = ScheduleKind::kConstant;
  int step_epochs = 10;
  float gamma = 0.5f;
  float min_fraction = 0.0f;
  float pct_start = 0.3f;
};

// The learning rate for optimizer step `step` (0-based) of `total_steps`, in
// epoch `epoch` (0-based).
float scheduled_learning_rate(const ScheduleConfig& config, float base_lr, long step,
                              long total_steps, int epoch);

}  // namespace tinymlops

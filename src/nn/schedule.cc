#include "tinymlops/nn/schedule.h"

#include <cmath>
#include <iterator>

#include "tinymlops/core/error.h"

namespace tinymlops {

namespace {

constexpr const char* kScheduleNames[] = {"constant", "step", "cosine", "one_cycle"};
static_assert(std::size(kScheduleNames) == static_cast<size_t>(ScheduleKind::kCount));

// Cosine interpolation from `from` (progress 0) to `to` (progress 1).
float cosine_between(float from, float to, double progress) {
  return to + (from - to) * static_cast<float>(0.5 * (1 + std::cos(M_PI * progress)));
}

}  // namespace

const char* schedule_name(ScheduleKind kind) { return kScheduleNames[static_cast<int>(kind)]; }

ScheduleKind parse_schedule(const std::string& name) {
  for (size_t i = 0; i < std::size(kScheduleNames); ++i) {
    if (name == kScheduleNames[i]) return static_cast<ScheduleKind>(i);
  }
  throw Error(ErrorKind::kUsage, "",
              "unknown schedule '" + name + "' (known: constant, step, cosine, one_cycle)");
}

float scheduled_learning_rate(const ScheduleConfig& config, float base_lr, long step,
                              long total_steps, int epoch) {
  const double progress = total_steps > 1 ? static_cast<double>(step) / static_cast<double>(total_steps - 1) : 0.0;
  switch (config.kind) {
    case ScheduleKind::kConstant:
      return base_lr;
    case ScheduleKind::kStep:
      return base_lr * std::pow(config.gamma, static_cast<float>(epoch / std::max(1, config.step_epochs)));
    case ScheduleKind::kCosine:
      return cosine_between(base_lr, base_lr * config.min_fraction, progress);
    case ScheduleKind::kOneCycle: {
      const double warmup = config.pct_start;
      if (progress < warmup) return cosine_between(base_lr / 25, base_lr, progress / warmup);
      return cosine_between(base_lr, base_lr / 1e4f, (progress - warmup) / (1 - warmup));
    }
    case ScheduleKind::kCount:
      break;
  }
  return base_lr;
}

}  // namespace tinymlops

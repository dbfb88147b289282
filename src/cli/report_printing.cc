// Report printing shared by the compression commands (commands.h).
#include <cstdio>

#include "commands.h"

namespace tinymlops::cli {

void print_metric_changes(size_t eval_rows, const std::string& split, const nlohmann::ordered_json& before,
                          const nlohmann::ordered_json& after) {
  std::printf("metrics on %lld held-out rows of %s\n", static_cast<long long>(eval_rows), split.c_str());
  for (const auto& [key, value] : before.items()) {
    if (!value.is_number()) continue;
    std::printf("  %-16s %.4f -> %.4f\n", key.c_str(), value.get<double>(), after[key].get<double>());
  }
}

void print_fine_tune_report(const FineTuneReport& r) {
  if (r.eval_rows > 0) print_metric_changes(r.eval_rows, r.split, r.before, r.after);
  if (r.model.empty()) return;
  std::printf("wrote %s (%lld bytes); next: tinymlops quantize %s ...\n", r.model.c_str(),
              static_cast<long long>(r.file_bytes), r.model.c_str());
}

}  // namespace tinymlops::cli

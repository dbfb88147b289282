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

void print_metric_changes(const nlohmann::ordered_json& r) {
  if (!r.contains("before")) return;
  print_metric_changes(r["eval_rows"].get<size_t>(), r["split"].get<std::string>(), r["before"], r["after"]);
}

void print_written_float_model(const nlohmann::ordered_json& r) {
  if (!r.contains("model")) return;
  std::printf("wrote %s (%lld bytes); next: tinymlops quantize %s ...\n", r["model"].get<std::string>().c_str(),
              r["file_bytes"].get<long long>(), r["model"].get<std::string>().c_str());
}

}  // namespace tinymlops::cli

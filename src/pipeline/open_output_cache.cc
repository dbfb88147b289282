// The one place that picks the commands' OutputCache (see output_cache.h).
#include "tinymlops/pipeline/output_cache.h"

namespace tinymlops::pipeline {

std::unique_ptr<OutputCache> open_output_cache(const std::filesystem::path& root) {
  return std::make_unique<LocalOutputCache>(root / ".tinymlops" / "runcache" / "objects");
}

}  // namespace tinymlops::pipeline

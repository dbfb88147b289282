// The one place that picks the commands' store (see output_cache.h).
#include "tinymlops/pipeline/output_cache.h"

#include "tinymlops/core/error.h"

namespace tinymlops::pipeline {

store::Repository open_pipeline_store(const std::filesystem::path& root) {
  try {
    return store::Repository::open(root);
  } catch (const Error&) {
    return store::Repository::init(root);
  }
}

}  // namespace tinymlops::pipeline

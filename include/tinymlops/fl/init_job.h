// The job behind `tinymlops fl init`: the untrained global model a federated
// server starts from, and where a job's model comes from (ModelSource).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tinymlops/data/normalize.h"

namespace tinymlops::fl {

// Where the model comes from when the server or simulator builds it.
struct ModelSource {
  std::string data;                // CSV whose columns and classes the model takes
  std::string label;
  std::vector<int> hidden = {64, 32};
  NormalizationKind normalization = NormalizationKind::kStandard;
  uint64_t seed = 0;
};

// `fl init`: an untrained global model for `source` (normalization fitted on its
// rows: in a real deployment a small public or proxy sample), written atomically.
// Throws Error(kUsage) at "--data" / "--label" when either is empty.
void write_initial_model(const ModelSource& source, const std::filesystem::path& out);

}  // namespace tinymlops::fl

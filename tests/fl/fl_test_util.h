// Fixtures shared by the federated-learning tests: the digits data and a small
// model over it.
#pragma once

#include "test_util.h"
#include "tinymlops/data/dataset.h"
#include "tinymlops/fl/simulator.h"

namespace tinymlops::fl::testing {

inline Dataset digits() {
  DatasetOptions options;
  options.label = "digit";
  return load_dataset(tinymlops::testing::source_dir() / "examples/data/digits.csv", options);
}

// 64 -> hidden -> 10 softmax, normalization fitted on `data`.
inline Model digits_model(const Dataset& data, int hidden = 16, uint64_t seed = 1) {
  return initial_model(data, hidden_dense_specs({hidden}), NormalizationKind::kStandard, seed);
}

}  // namespace tinymlops::fl::testing

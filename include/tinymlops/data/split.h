// Seeded train / validation / test splits.
#pragma once

#include <cstdint>
#include <vector>

#include "tinymlops/data/dataset.h"

namespace tinymlops {

struct SplitIndices {
  std::vector<size_t> train;
  std::vector<size_t> validation;
  std::vector<size_t> test;
};

// Splits the rows of `dataset` into three disjoint sets covering every row.
//
// Classification splits are stratified: each class is shuffled on its own and
// divided in the given proportions (rounded to nearest, the train set taking the
// remainder), so class ratios match across sets; a class with few rows keeps at
// least one in train. Regression splits shuffle all rows. Each returned list is
// sorted ascending. The same dataset, fractions and seed give the same split.
// REQUIRES (else Error(kUsage)): 0 <= fractions, validation + test < 1.
SplitIndices split_dataset(const Dataset& dataset, double validation_fraction,
                           double test_fraction, uint64_t seed);

// Splits rows 0..rows-1 in time order: train first, then validation, then test,
// each a contiguous block (sizes rounded as above). For time series, where a
// shuffled split would leak overlapping windows across the sets.
// REQUIRES (else Error(kUsage)): as split_dataset.
SplitIndices split_in_order(size_t rows, double validation_fraction, double test_fraction);

}  // namespace tinymlops

#include "tinymlops/data/split.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "tinymlops/core/error.h"
#include "tinymlops/core/rng.h"

namespace tinymlops {
namespace {

// Deals `rows` (already shuffled) into the three sets in proportion.
void deal(const std::vector<size_t>& rows, double validation_fraction, double test_fraction,
          bool keep_one_in_train, SplitIndices& split) {
  const double n = static_cast<double>(rows.size());
  auto test_count = static_cast<size_t>(std::llround(n * test_fraction));
  auto validation_count = static_cast<size_t>(std::llround(n * validation_fraction));
  if (keep_one_in_train) {
    // A class with few rows keeps one row in train, taken from the larger set.
    while (!rows.empty() && test_count + validation_count >= rows.size()) {
      if (test_count >= validation_count && test_count > 0) {
        --test_count;
      } else {
        --validation_count;
      }
    }
  }
  size_t i = 0;
  for (; i < test_count; ++i) split.test.push_back(rows[i]);
  for (; i < test_count + validation_count; ++i) split.validation.push_back(rows[i]);
  for (; i < rows.size(); ++i) split.train.push_back(rows[i]);
}

}  // namespace

void check_fractions(double validation_fraction, double test_fraction) {
  if (!(validation_fraction >= 0) || !(test_fraction >= 0) ||
      !(validation_fraction + test_fraction < 1)) {
    throw Error(ErrorKind::kUsage, "",
                "split fractions must be >= 0 and sum to less than 1 (validation " +
                    std::to_string(validation_fraction) + ", test " + std::to_string(test_fraction) + ")");
  }
}

SplitIndices split_dataset(const Dataset& dataset, double validation_fraction,
                           double test_fraction, uint64_t seed) {
  check_fractions(validation_fraction, test_fraction);
  Rng rng(seed);
  SplitIndices split;
  if (dataset.task == Task::kClassification && !dataset.classes.empty()) {
    std::map<int, std::vector<size_t>> by_class;
    for (size_t i = 0; i < dataset.classes.size(); ++i) by_class[dataset.classes[i]].push_back(i);
    for (auto& [label, rows] : by_class) {
      rng.shuffle(rows);
      deal(rows, validation_fraction, test_fraction, true, split);
    }
  } else {
    std::vector<size_t> rows(dataset.size());
    for (size_t i = 0; i < rows.size(); ++i) rows[i] = i;
    rng.shuffle(rows);
    deal(rows, validation_fraction, test_fraction, false, split);
  }
  std::sort(split.train.begin(), split.train.end());
  std::sort(split.validation.begin(), split.validation.end());
  std::sort(split.test.begin(), split.test.end());
  return split;
}

SplitIndices split_in_order(size_t rows, double validation_fraction, double test_fraction) {
  check_fractions(validation_fraction, test_fraction);
  const double n = static_cast<double>(rows);
  auto test_count = static_cast<size_t>(std::llround(n * test_fraction));
  auto validation_count = static_cast<size_t>(std::llround(n * validation_fraction));
  const size_t train_count = rows - std::min(rows, test_count + validation_count);
  SplitIndices split;
  for (size_t i = 0; i < rows; ++i) {
    if (i < train_count) {
      split.train.push_back(i);
    } else if (i < train_count + validation_count) {
      split.validation.push_back(i);
    } else {
      split.test.push_back(i);
    }
  }
  return split;
}

}  // namespace tinymlops

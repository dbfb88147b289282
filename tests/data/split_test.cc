// Black-box tests of include/tinymlops/data/split.h.
#include "tinymlops/data/split.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <vector>

#include "error_expect.h"
#include "tinymlops/core/error.h"

namespace tinymlops {
namespace {

using testing::catch_error;
using Indices = std::vector<size_t>;

// A classification dataset whose class i has counts[i] rows, interleaved.
Dataset classification(const std::vector<int>& counts) {
  Dataset d;
  d.source = "split.csv";
  d.task = Task::kClassification;
  d.feature_names = {"x"};
  d.label_name = "y";
  std::vector<int> remaining = counts;
  bool any = true;
  while (any) {
    any = false;
    for (size_t c = 0; c < remaining.size(); ++c) {
      if (remaining[c] > 0) {
        d.classes.push_back(static_cast<int>(c));
        --remaining[c];
        any = true;
      }
    }
  }
  for (size_t c = 0; c < counts.size(); ++c) d.class_names.push_back("c" + std::to_string(c));
  const auto n = static_cast<Eigen::Index>(d.classes.size());
  d.features.resize(n, 1);
  for (Eigen::Index i = 0; i < n; ++i) {
    d.features(i, 0) = static_cast<float>(i);
    d.line_numbers.push_back(i + 2);
  }
  return d;
}

Dataset regression(int rows) {
  Dataset d;
  d.source = "reg.csv";
  d.task = Task::kRegression;
  d.feature_names = {"x"};
  d.label_name = "y";
  d.features.resize(rows, 1);
  d.values.resize(rows);
  for (int i = 0; i < rows; ++i) {
    d.features(i, 0) = static_cast<float>(i);
    d.values(i) = static_cast<float>(i) * 0.5f;
    d.line_numbers.push_back(i + 2);
  }
  return d;
}

void expect_partition(const SplitIndices& s, size_t rows) {
  EXPECT_TRUE(std::is_sorted(s.train.begin(), s.train.end()));
  EXPECT_TRUE(std::is_sorted(s.validation.begin(), s.validation.end()));
  EXPECT_TRUE(std::is_sorted(s.test.begin(), s.test.end()));
  std::vector<size_t> all;
  all.insert(all.end(), s.train.begin(), s.train.end());
  all.insert(all.end(), s.validation.begin(), s.validation.end());
  all.insert(all.end(), s.test.begin(), s.test.end());
  ASSERT_EQ(all.size(), rows) << "sets overlap or miss rows";
  std::sort(all.begin(), all.end());
  for (size_t i = 0; i < rows; ++i) ASSERT_EQ(all[i], i) << "sets are not disjoint and covering";
}

std::map<int, size_t> class_counts(const Dataset& d, const Indices& indices) {
  std::map<int, size_t> counts;
  for (size_t i : indices) ++counts[d.classes[i]];
  return counts;
}

TEST(SplitDataset, ClassificationIsDisjointCoveringAndSorted) {
  Dataset d = classification({50, 30, 20});
  SplitIndices s = split_dataset(d, 0.2, 0.1, 7);
  expect_partition(s, 100);
  EXPECT_FALSE(s.validation.empty());
  EXPECT_FALSE(s.test.empty());
}

TEST(SplitDataset, SameSeedSameSplit) {
  Dataset d = classification({50, 30, 20});
  SplitIndices a = split_dataset(d, 0.2, 0.1, 42);
  SplitIndices b = split_dataset(d, 0.2, 0.1, 42);
  EXPECT_EQ(a.train, b.train);
  EXPECT_EQ(a.validation, b.validation);
  EXPECT_EQ(a.test, b.test);
}

TEST(SplitDataset, DifferentSeedsDiffer) {
  Dataset d = classification({50, 30, 20});
  SplitIndices a = split_dataset(d, 0.2, 0.1, 1);
  SplitIndices b = split_dataset(d, 0.2, 0.1, 2);
  EXPECT_TRUE(a.validation != b.validation || a.test != b.test);
  Dataset r = regression(100);
  SplitIndices c = split_dataset(r, 0.2, 0.1, 1);
  SplitIndices e = split_dataset(r, 0.2, 0.1, 2);
  EXPECT_TRUE(c.validation != e.validation || c.test != e.test);
}

TEST(SplitDataset, SplitIsShuffledNotInOrder) {
  Dataset r = regression(100);
  SplitIndices s = split_dataset(r, 0.2, 0.1, 3);
  SplitIndices ordered = split_in_order(100, 0.2, 0.1);
  EXPECT_NE(s.train, ordered.train);
}

TEST(SplitDataset, StratifiedProportionsPerClass) {
  const std::vector<int> counts = {50, 30, 20, 7, 13};
  Dataset d = classification(counts);
  for (uint64_t seed : {1u, 2u, 3u}) {
    for (auto [val, test] : {std::pair{0.2, 0.1}, std::pair{0.15, 0.15}, std::pair{0.3, 0.0},
                             std::pair{0.0, 0.25}}) {
      SCOPED_TRACE(::testing::Message() << "seed " << seed << " val " << val << " test " << test);
      SplitIndices s = split_dataset(d, val, test, seed);
      expect_partition(s, d.size());
      auto tr = class_counts(d, s.train), va = class_counts(d, s.validation),
           te = class_counts(d, s.test);
      for (size_t c = 0; c < counts.size(); ++c) {
        const int k = static_cast<int>(c);
        const double n = counts[c];
        EXPECT_NEAR(static_cast<double>(va[k]), n * val, 1.0) << "class " << c;
        EXPECT_NEAR(static_cast<double>(te[k]), n * test, 1.0) << "class " << c;
        EXPECT_NEAR(static_cast<double>(tr[k]), n * (1 - val - test), 1.0) << "class " << c;
        EXPECT_EQ(tr[k] + va[k] + te[k], static_cast<size_t>(counts[c]));
      }
    }
  }
}

TEST(SplitDataset, ExactRoundedSizesWhenFractionsDivideEvenly) {
  Dataset d = classification({40, 60});
  SplitIndices s = split_dataset(d, 0.25, 0.1, 9);
  auto va = class_counts(d, s.validation), te = class_counts(d, s.test),
       tr = class_counts(d, s.train);
  EXPECT_EQ(va[0], 10u);
  EXPECT_EQ(te[0], 4u);
  EXPECT_EQ(tr[0], 26u);
  EXPECT_EQ(va[1], 15u);
  EXPECT_EQ(te[1], 6u);
  EXPECT_EQ(tr[1], 39u);
}

TEST(SplitDataset, TinyClassKeepsAtLeastOneInTrain) {
  // Class 1 has one row, class 2 two rows, class 3 three rows: proportional rounding
  // would leave train empty for some of them.
  Dataset d = classification({40, 1, 2, 3});
  for (uint64_t seed = 0; seed < 10; ++seed) {
    SCOPED_TRACE(seed);
    SplitIndices s = split_dataset(d, 0.4, 0.4, seed);
    expect_partition(s, d.size());
    auto tr = class_counts(d, s.train);
    for (int c = 0; c < 4; ++c) EXPECT_GE(tr[c], 1u) << "class " << c;
  }
}

TEST(SplitDataset, RegressionSizes) {
  Dataset r = regression(100);
  SplitIndices s = split_dataset(r, 0.2, 0.1, 5);
  expect_partition(s, 100);
  EXPECT_EQ(s.validation.size(), 20u);
  EXPECT_EQ(s.test.size(), 10u);
  EXPECT_EQ(s.train.size(), 70u);
}

TEST(SplitDataset, RegressionRoundedSizes) {
  Dataset r = regression(37);
  SplitIndices s = split_dataset(r, 0.2, 0.1, 5);
  expect_partition(s, 37);
  EXPECT_NEAR(static_cast<double>(s.validation.size()), 37 * 0.2, 1.0);
  EXPECT_NEAR(static_cast<double>(s.test.size()), 37 * 0.1, 1.0);
}

TEST(SplitDataset, ZeroFractionsPutEverythingInTrain) {
  Dataset d = classification({5, 5});
  SplitIndices s = split_dataset(d, 0.0, 0.0, 1);
  EXPECT_EQ(s.train.size(), 10u);
  EXPECT_TRUE(s.validation.empty());
  EXPECT_TRUE(s.test.empty());
  expect_partition(s, 10);
  Dataset r = regression(8);
  SplitIndices t = split_dataset(r, 0.0, 0.0, 1);
  EXPECT_EQ(t.train.size(), 8u);
}

TEST(SplitDataset, InvalidFractionsAreUsageErrors) {
  Dataset d = classification({10, 10});
  Dataset r = regression(20);
  for (auto [val, test] : {std::pair{-0.1, 0.1}, std::pair{0.1, -0.1}, std::pair{0.5, 0.5},
                           std::pair{0.7, 0.4}, std::pair{1.0, 0.0}, std::pair{0.0, 1.0},
                           std::pair{1.5, 0.0}}) {
    SCOPED_TRACE(::testing::Message() << val << " " << test);
    auto e = catch_error([&] { split_dataset(d, val, test, 1); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind(), ErrorKind::kUsage);
    auto f = catch_error([&] { split_dataset(r, val, test, 1); });
    ASSERT_TRUE(f);
    EXPECT_EQ(f->kind(), ErrorKind::kUsage);
    auto g = catch_error([&] { split_in_order(20, val, test); });
    ASSERT_TRUE(g);
    EXPECT_EQ(g->kind(), ErrorKind::kUsage);
  }
}

TEST(SplitDataset, NanFractionIsUsageError) {
  Dataset r = regression(20);
  auto e = catch_error([&] { split_dataset(r, std::nan(""), 0.1, 1); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), ErrorKind::kUsage);
}

TEST(SplitDataset, ClassWithNoRowsIsFine) {
  // class_names (e.g. from a model) may name a class that has no rows here.
  Dataset d = classification({10, 0, 10});
  SplitIndices s = split_dataset(d, 0.2, 0.2, 4);
  expect_partition(s, 20);
  EXPECT_EQ(s.validation.size(), 4u);
  EXPECT_EQ(s.test.size(), 4u);
}

TEST(SplitDataset, EmptyDatasetGivesEmptySets) {
  Dataset r = regression(0);
  SplitIndices s = split_dataset(r, 0.2, 0.1, 1);
  EXPECT_TRUE(s.train.empty());
  EXPECT_TRUE(s.validation.empty());
  EXPECT_TRUE(s.test.empty());
  SplitIndices o = split_in_order(0, 0.2, 0.1);
  EXPECT_TRUE(o.train.empty() && o.validation.empty() && o.test.empty());
}

TEST(SplitInOrder, ContiguousBlocksInTimeOrder) {
  SplitIndices s = split_in_order(10, 0.2, 0.1);
  EXPECT_EQ(s.train, (Indices{0, 1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(s.validation, (Indices{7, 8}));
  EXPECT_EQ(s.test, (Indices{9}));
}

TEST(SplitInOrder, RoundedSizesAndCovering) {
  SplitIndices s = split_in_order(33, 0.15, 0.2);
  expect_partition(s, 33);
  EXPECT_NEAR(static_cast<double>(s.validation.size()), 33 * 0.15, 1.0);
  EXPECT_NEAR(static_cast<double>(s.test.size()), 33 * 0.2, 1.0);
  ASSERT_FALSE(s.train.empty());
  ASSERT_FALSE(s.validation.empty());
  ASSERT_FALSE(s.test.empty());
  EXPECT_LT(s.train.back(), s.validation.front());
  EXPECT_LT(s.validation.back(), s.test.front());
  EXPECT_EQ(s.train.front(), 0u);
  EXPECT_EQ(s.test.back(), 32u);
}

TEST(SplitInOrder, ZeroFractions) {
  SplitIndices s = split_in_order(4, 0.0, 0.0);
  EXPECT_EQ(s.train, (Indices{0, 1, 2, 3}));
  EXPECT_TRUE(s.validation.empty());
  EXPECT_TRUE(s.test.empty());
}

}  // namespace
}  // namespace tinymlops

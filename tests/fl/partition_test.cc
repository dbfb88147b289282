#include "tinymlops/fl/partition.h"

#include <gtest/gtest.h>

#include <set>

#include "fl_test_util.h"
#include "tinymlops/core/error.h"

namespace tinymlops::fl {
namespace {

// Every row in exactly one part.
void expect_a_partition(const std::vector<std::vector<size_t>>& parts, size_t rows) {
  std::vector<int> seen(rows, 0);
  for (const auto& part : parts) {
    EXPECT_FALSE(part.empty());
    for (size_t r : part) ++seen[r];
  }
  for (size_t r = 0; r < rows; ++r) ASSERT_EQ(seen[r], 1) << "row " << r;
}

double mean_classes_per_client(const Dataset& data, const std::vector<std::vector<size_t>>& parts) {
  double sum = 0;
  for (const auto& part : parts) {
    std::set<int> classes;
    for (size_t r : part) classes.insert(data.classes[r]);
    sum += static_cast<double>(classes.size());
  }
  return sum / static_cast<double>(parts.size());
}

TEST(Partition, IidDealsEqualShares) {
  Dataset data = testing::digits();
  auto parts = partition_rows(data, 100, parse_partition("iid", "t"), 1);
  expect_a_partition(parts, data.size());
  for (const auto& part : parts) EXPECT_LE(part.size() - data.size() / 100, 1u);
  EXPECT_GT(mean_classes_per_client(data, parts), 8);
}

TEST(Partition, DirichletSkewsTheClassesAndIsDeterministic) {
  Dataset data = testing::digits();
  auto parts = partition_rows(data, 100, parse_partition("dirichlet:0.3", "t"), 1);
  expect_a_partition(parts, data.size());
  EXPECT_LT(mean_classes_per_client(data, parts), 5);
  EXPECT_EQ(parts, partition_rows(data, 100, parse_partition("dirichlet:0.3", "t"), 1));
  EXPECT_NE(parts, partition_rows(data, 100, parse_partition("dirichlet:0.3", "t"), 2));
}

TEST(Partition, ShardsGiveEachClientAFewClasses) {
  Dataset data = testing::digits();
  auto parts = partition_rows(data, 100, parse_partition("shards:2", "t"), 1);
  expect_a_partition(parts, data.size());
  EXPECT_LE(mean_classes_per_client(data, parts), 3);
}

TEST(Partition, BadSpecsAndImpossibleSplitsAreUsageErrors) {
  for (const char* text : {"dirichlet:0", "dirichlet:x", "shards:0", "iid:3", "random"}) {
    EXPECT_THROW(parse_partition(text, "--partition"), Error) << text;
  }
  EXPECT_EQ(partition_name(parse_partition("dirichlet:0.3", "t")), "dirichlet:0.3");
  Dataset data = testing::digits();
  EXPECT_THROW(partition_rows(data, static_cast<int>(data.size()) + 1, {}, 1), Error);
}

}  // namespace
}  // namespace tinymlops::fl

// Black-box tests of include/tinymlops/data/window.h.
#include "tinymlops/data/window.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "error_expect.h"
#include "tinymlops/core/error.h"

namespace tinymlops {
namespace {

using testing::catch_error;
using Strings = std::vector<std::string>;

// Feature value of series row r, feature f: a unique, exactly representable number.
float value(int r, int f) { return static_cast<float>(r * 10 + f); }

// A classification series of `rows` rows with features "ax", "ay", "az" and
// class (r / 3) % 2 ("rest", "walk").
Dataset class_series(int rows) {
  Dataset d;
  d.source = "series.csv";
  d.task = Task::kClassification;
  d.feature_names = {"ax", "ay", "az"};
  d.label_name = "activity";
  d.class_names = {"rest", "walk"};
  d.features.resize(rows, 3);
  for (int r = 0; r < rows; ++r) {
    for (int f = 0; f < 3; ++f) d.features(r, f) = value(r, f);
    d.classes.push_back((r / 3) % 2);
    d.line_numbers.push_back(r + 2);
  }
  return d;
}

Dataset regression_series(int rows) {
  Dataset d;
  d.source = "temps.csv";
  d.task = Task::kRegression;
  d.feature_names = {"t"};
  d.label_name = "next";
  d.features.resize(rows, 1);
  d.values.resize(rows);
  for (int r = 0; r < rows; ++r) {
    d.features(r, 0) = value(r, 0);
    d.values(r) = static_cast<float>(r) + 0.5f;
    d.line_numbers.push_back(r + 2);
  }
  return d;
}

WindowOptions opts(int window, int stride) {
  WindowOptions o;
  o.window = window;
  o.stride = stride;
  return o;
}

TEST(MakeWindows, CountIsFloorOfRemainingOverStridePlusOne) {
  struct Case {
    int rows, window, stride;
  };
  for (Case c : {Case{10, 3, 1}, Case{10, 3, 2}, Case{10, 3, 3}, Case{10, 3, 4}, Case{10, 10, 1},
                 Case{10, 10, 5}, Case{10, 1, 1}, Case{10, 1, 3}, Case{11, 4, 7}, Case{7, 3, 100}}) {
    SCOPED_TRACE(::testing::Message() << c.rows << " rows, window " << c.window << ", stride "
                                      << c.stride);
    Dataset w = make_windows(class_series(c.rows), opts(c.window, c.stride));
    size_t expected = static_cast<size_t>((c.rows - c.window) / c.stride + 1);
    EXPECT_EQ(w.size(), expected);
    EXPECT_EQ(w.classes.size(), expected);
    EXPECT_EQ(w.features.cols(), 3 * c.window);
    EXPECT_EQ(w.line_numbers.size(), expected);
  }
}

TEST(MakeWindows, FeatureNamesOldestFirstRowMajor) {
  Dataset w = make_windows(class_series(6), opts(3, 1));
  EXPECT_EQ(w.feature_names,
            (Strings{"ax@0", "ay@0", "az@0", "ax@1", "ay@1", "az@1", "ax@2", "ay@2", "az@2"}));
}

TEST(MakeWindows, SingleFeatureNames) {
  Dataset w = make_windows(regression_series(20), opts(12, 1));
  ASSERT_EQ(w.feature_names.size(), 12u);
  EXPECT_EQ(w.feature_names[0], "t@0");
  EXPECT_EQ(w.feature_names[1], "t@1");
  EXPECT_EQ(w.feature_names[10], "t@10");
  EXPECT_EQ(w.feature_names[11], "t@11");
}

TEST(MakeWindows, FeaturesAreConsecutiveRowsConcatenated) {
  const int rows = 10, window = 3, stride = 2;
  Dataset w = make_windows(class_series(rows), opts(window, stride));
  ASSERT_EQ(w.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    const int start = i * stride;
    for (int t = 0; t < window; ++t) {
      for (int f = 0; f < 3; ++f) {
        EXPECT_EQ(w.features(i, t * 3 + f), value(start + t, f))
            << "window " << i << " offset " << t << " feature " << f;
      }
    }
  }
}

TEST(MakeWindows, ClassificationTargetIsLastRowOfWindow) {
  Dataset series = class_series(12);
  Dataset w = make_windows(series, opts(4, 3));
  ASSERT_EQ(w.size(), 3u);  // starts 0, 3, 6; 9..12 would need row 12
  EXPECT_EQ(w.task, Task::kClassification);
  EXPECT_EQ(w.class_names, series.class_names);
  EXPECT_EQ(w.label_name, "activity");
  EXPECT_EQ(w.source, "series.csv");
  ASSERT_EQ(w.classes.size(), 3u);
  EXPECT_EQ(w.classes[0], series.classes[3]);
  EXPECT_EQ(w.classes[1], series.classes[6]);
  EXPECT_EQ(w.classes[2], series.classes[9]);
  EXPECT_EQ(w.values.size(), 0);
}

TEST(MakeWindows, RegressionTargetIsLastRowOfWindow) {
  Dataset series = regression_series(9);
  Dataset w = make_windows(series, opts(4, 2));
  ASSERT_EQ(w.size(), 3u);  // starts 0, 2, 4
  EXPECT_EQ(w.task, Task::kRegression);
  EXPECT_TRUE(w.classes.empty());
  ASSERT_EQ(w.values.size(), 3);
  EXPECT_FLOAT_EQ(w.values(0), series.values(3));
  EXPECT_FLOAT_EQ(w.values(1), series.values(5));
  EXPECT_FLOAT_EQ(w.values(2), series.values(7));
  EXPECT_EQ(w.feature_names, (Strings{"t@0", "t@1", "t@2", "t@3"}));
  EXPECT_EQ(w.features(2, 0), value(4, 0));
  EXPECT_EQ(w.features(2, 3), value(7, 0));
}

TEST(MakeWindows, StrideSkipsAndTailIsDropped) {
  Dataset w = make_windows(class_series(11), opts(3, 4));
  ASSERT_EQ(w.size(), 3u);  // starts 0, 4, 8; 8..10 fits exactly
  EXPECT_EQ(w.features(0, 0), value(0, 0));
  EXPECT_EQ(w.features(1, 0), value(4, 0));
  EXPECT_EQ(w.features(2, 0), value(8, 0));
  EXPECT_EQ(w.features(2, 8), value(10, 2));
  Dataset shorter = make_windows(class_series(10), opts(3, 4));
  EXPECT_EQ(shorter.size(), 2u);  // starts 0, 4; 8..10 needs row 10
}

TEST(MakeWindows, WindowEqualToSeriesLengthGivesOneWindow) {
  Dataset w = make_windows(class_series(5), opts(5, 1));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w.features.cols(), 15);
  EXPECT_EQ(w.features(0, 14), value(4, 2));
  EXPECT_EQ(w.classes[0], class_series(5).classes[4]);
}

TEST(MakeWindows, WindowOfOneIsTheSeries) {
  Dataset series = class_series(5);
  Dataset w = make_windows(series, opts(1, 1));
  EXPECT_EQ(w.feature_names, (Strings{"ax@0", "ay@0", "az@0"}));
  EXPECT_EQ(w.features, series.features);
  EXPECT_EQ(w.classes, series.classes);
}

TEST(MakeWindows, SeriesWithoutTargetsGivesWindowsWithoutTargets) {
  Dataset series = class_series(6);
  series.classes.clear();
  Dataset w = make_windows(series, opts(2, 2));
  EXPECT_EQ(w.size(), 3u);
  EXPECT_FALSE(w.has_targets());
}

TEST(MakeWindows, TooShortSeriesIsInvalidNamingSource) {
  auto e = catch_error([&] { make_windows(class_series(4), opts(5, 1)); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), ErrorKind::kInvalid);
  EXPECT_CONTAINS(e->what(), "series.csv");
}

TEST(MakeWindows, EmptySeriesIsInvalid) {
  auto e = catch_error([&] { make_windows(class_series(0), opts(1, 1)); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), ErrorKind::kInvalid);
  EXPECT_CONTAINS(e->what(), "series.csv");
}

TEST(MakeWindows, WindowOrStrideBelowOneIsUsageError) {
  for (auto [window, stride] : {std::pair{0, 1}, std::pair{-3, 1}, std::pair{3, 0},
                                std::pair{3, -1}, std::pair{0, 0}}) {
    SCOPED_TRACE(::testing::Message() << "window " << window << " stride " << stride);
    auto e = catch_error([&] { make_windows(class_series(10), opts(window, stride)); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind(), ErrorKind::kUsage);
  }
}

TEST(MakeWindows, DefaultOptionsAreUsageError) {
  auto e = catch_error([&] { make_windows(class_series(10), WindowOptions{}); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), ErrorKind::kUsage);
}

}  // namespace
}  // namespace tinymlops

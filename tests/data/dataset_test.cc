// Black-box tests of include/tinymlops/data/dataset.h.
#include "tinymlops/data/dataset.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "error_expect.h"
#include "test_util.h"
#include "tinymlops/core/error.h"
#include "tinymlops/data/csv.h"

namespace tinymlops {
namespace {

using Strings = std::vector<std::string>;
using Lines = std::vector<int64_t>;
using testing::catch_error;

DatasetOptions label(const std::string& name) {
  DatasetOptions o;
  o.label = name;
  return o;
}

Dataset from_text(const std::string& text, const DatasetOptions& options) {
  return dataset_from_table(parse_csv(text, "bad.csv"), options);
}

std::optional<Error> error_from_text(const std::string& text, const DatasetOptions& options) {
  return catch_error([&] { from_text(text, options); });
}

// ---------------------------------------------------------------------------
// task names

TEST(TaskName, RoundTrip) {
  EXPECT_STREQ(task_name(Task::kClassification), "classification");
  EXPECT_STREQ(task_name(Task::kRegression), "regression");
  EXPECT_EQ(parse_task("classification"), Task::kClassification);
  EXPECT_EQ(parse_task("regression"), Task::kRegression);
}

TEST(TaskName, UnknownNameIsUsageError) {
  for (const char* name : {"", "classify", "Regression", "clustering"}) {
    SCOPED_TRACE(name);
    auto e = catch_error([&] { parse_task(name); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind(), ErrorKind::kUsage);
  }
}

// ---------------------------------------------------------------------------
// Basic loading

TEST(Dataset, FeaturesLabelsAndMetadata) {
  Dataset d = from_text("a,species,b\n1,setosa,2\n3,virginica,4\n\n5,setosa,6.5\n", label("species"));
  EXPECT_EQ(d.source, "bad.csv");
  EXPECT_EQ(d.task, Task::kClassification);
  EXPECT_EQ(d.label_name, "species");
  EXPECT_EQ(d.feature_names, (Strings{"a", "b"}));
  EXPECT_EQ(d.class_names, (Strings{"setosa", "virginica"}));
  ASSERT_EQ(d.size(), 3u);
  ASSERT_EQ(d.features.rows(), 3);
  ASSERT_EQ(d.features.cols(), 2);
  EXPECT_FLOAT_EQ(d.features(0, 0), 1);
  EXPECT_FLOAT_EQ(d.features(0, 1), 2);
  EXPECT_FLOAT_EQ(d.features(1, 0), 3);
  EXPECT_FLOAT_EQ(d.features(1, 1), 4);
  EXPECT_FLOAT_EQ(d.features(2, 0), 5);
  EXPECT_FLOAT_EQ(d.features(2, 1), 6.5f);
  EXPECT_EQ(d.classes, (std::vector<int>{0, 1, 0}));
  EXPECT_EQ(d.values.size(), 0);
  EXPECT_EQ(d.line_numbers, (Lines{2, 3, 5}));
  EXPECT_EQ(d.dropped_rows, 0);
  EXPECT_TRUE(d.warnings.empty());
  EXPECT_TRUE(d.has_targets());
}

TEST(Dataset, StringLabelsAreSortedByteWise) {
  Dataset d = from_text("x,y\n1,b\n2,a\n3,B\n4,_\n5,b\n6,Z\n", label("y"));
  // Byte order: 'B' (0x42) < 'Z' (0x5A) < '_' (0x5F) < 'a' (0x61) < 'b' (0x62).
  EXPECT_EQ(d.class_names, (Strings{"B", "Z", "_", "a", "b"}));
  EXPECT_EQ(d.classes, (std::vector<int>{4, 3, 0, 2, 4, 1}));
}

TEST(Dataset, Utf8StringLabelsAreSortedByteWise) {
  // "é" is 0xC3 0xA9, after every ASCII letter.
  Dataset d = from_text("x,y\n1,\xC3\xA9t\xC3\xA9\n2,hiver\n3,Automne\n", label("y"));
  EXPECT_EQ(d.class_names, (Strings{"Automne", "hiver", "\xC3\xA9t\xC3\xA9"}));
  EXPECT_EQ(d.classes, (std::vector<int>{2, 1, 0}));
}

TEST(Dataset, IntegerLabelsAreSortedNumerically) {
  Dataset d = from_text("x,y\n1,9\n2,10\n3,2\n4,10\n5,-1\n", label("y"));
  EXPECT_EQ(d.task, Task::kClassification);
  EXPECT_EQ(d.class_names, (Strings{"-1", "2", "9", "10"}));
  EXPECT_EQ(d.classes, (std::vector<int>{2, 3, 1, 3, 0}));
}

TEST(Dataset, NonNumericLabelCellMakesClassification) {
  Dataset d = from_text("x,y\n1,1.5\n2,2.5\n3,abc\n", label("y"));
  EXPECT_EQ(d.task, Task::kClassification);
  EXPECT_EQ(d.class_names.size(), 3u);
  EXPECT_EQ(d.classes.size(), 3u);
}

TEST(Dataset, TwentyDistinctIntegersIsClassification) {
  std::string text = "x,y\n";
  for (int i = 0; i < 40; ++i) text += std::to_string(i) + "," + std::to_string(i % 20) + "\n";
  Dataset d = from_text(text, label("y"));
  EXPECT_EQ(d.task, Task::kClassification);
  ASSERT_EQ(d.class_names.size(), 20u);
  EXPECT_EQ(d.class_names[0], "0");
  EXPECT_EQ(d.class_names[2], "2");
  EXPECT_EQ(d.class_names[10], "10");
  EXPECT_EQ(d.class_names[19], "19");
  for (int i = 0; i < 40; ++i) EXPECT_EQ(d.classes[static_cast<size_t>(i)], i % 20);
}

TEST(Dataset, TwentyOneDistinctIntegersIsRegression) {
  std::string text = "x,y\n";
  for (int i = 0; i < 21; ++i) text += std::to_string(i) + "," + std::to_string(i * 3) + "\n";
  Dataset d = from_text(text, label("y"));
  EXPECT_EQ(d.task, Task::kRegression);
  EXPECT_TRUE(d.classes.empty());
  EXPECT_TRUE(d.class_names.empty());
  ASSERT_EQ(d.values.size(), 21);
  for (int i = 0; i < 21; ++i) EXPECT_FLOAT_EQ(d.values(i), static_cast<float>(i * 3));
}

TEST(Dataset, FloatLabelsAreRegression) {
  Dataset d = from_text("x,y\n1,0.5\n2,1.5\n3,0.5\n", label("y"));
  EXPECT_EQ(d.task, Task::kRegression);
  EXPECT_TRUE(d.classes.empty());
  EXPECT_TRUE(d.class_names.empty());
  ASSERT_EQ(d.values.size(), 3);
  EXPECT_FLOAT_EQ(d.values(0), 0.5f);
  EXPECT_FLOAT_EQ(d.values(1), 1.5f);
  EXPECT_FLOAT_EQ(d.values(2), 0.5f);
  EXPECT_TRUE(d.has_targets());
}

TEST(Dataset, ExplicitRegressionOverridesIntegerInference) {
  DatasetOptions o = label("y");
  o.task = Task::kRegression;
  Dataset d = from_text("x,y\n1,1\n2,2\n3,1\n", o);
  EXPECT_EQ(d.task, Task::kRegression);
  EXPECT_TRUE(d.classes.empty());
  ASSERT_EQ(d.values.size(), 3);
  EXPECT_FLOAT_EQ(d.values(0), 1);
  EXPECT_FLOAT_EQ(d.values(1), 2);
  EXPECT_FLOAT_EQ(d.values(2), 1);
}

TEST(Dataset, ExplicitClassificationOverridesManyIntegers) {
  std::string text = "x,y\n";
  for (int i = 0; i < 30; ++i) text += std::to_string(i) + "," + std::to_string(29 - i) + "\n";
  DatasetOptions o = label("y");
  o.task = Task::kClassification;
  Dataset d = from_text(text, o);
  EXPECT_EQ(d.task, Task::kClassification);
  ASSERT_EQ(d.class_names.size(), 30u);
  EXPECT_EQ(d.class_names[9], "9");
  EXPECT_EQ(d.class_names[10], "10");
  EXPECT_EQ(d.classes[0], 29);
  EXPECT_EQ(d.values.size(), 0);
}

TEST(Dataset, ExplicitClassificationOfFloatLabelsSortsByValue) {
  DatasetOptions o = label("y");
  o.task = Task::kClassification;
  Dataset d = from_text("x,y\n1,10.5\n2,9.5\n3,2\n4,9.5\n", o);
  EXPECT_EQ(d.class_names, (Strings{"2", "9.5", "10.5"}));
  EXPECT_EQ(d.classes, (std::vector<int>{2, 1, 0, 1}));
}

TEST(Dataset, ExplicitRegressionWithNonNumericLabelIsErrorAtCell) {
  DatasetOptions o = label("y");
  o.task = Task::kRegression;
  auto e = error_from_text("x,y\n1,1.5\n2,abc\n", o);
  ASSERT_TRUE(e);
  EXPECT_CONTAINS(e->what(), "bad.csv:3:2");
}

// ---------------------------------------------------------------------------
// Whole-column errors

TEST(DatasetError, MissingLabelColumnNamesFileAndColumn) {
  auto e = error_from_text("a,b\n1,2\n3,4\n", label("target"));
  ASSERT_TRUE(e);
  EXPECT_CONTAINS(e->what(), "bad.csv");
  EXPECT_CONTAINS(e->what(), "target");
}

TEST(DatasetError, SingleValuedLabelNamesFileAndColumn) {
  auto e = error_from_text("a,cls\n1,x\n2,x\n3,x\n", label("cls"));
  ASSERT_TRUE(e);
  EXPECT_CONTAINS(e->what(), "bad.csv");
  EXPECT_CONTAINS(e->what(), "cls");
}

// dataset.h: a missing label column names the header line; a single-valued
// label names the label's header cell.
TEST(DatasetError, MissingLabelColumnLocationIsTheHeaderLine) {
  auto e = error_from_text("a,b\n1,2\n3,4\n", label("target"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->location(), "bad.csv:1");
}

TEST(DatasetError, SingleValuedLabelLocationIsTheHeaderCell) {
  auto e = error_from_text("a,cls\n1,x\n2,x\n3,x\n", label("cls"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->location(), "bad.csv:1:2");
}

TEST(DatasetError, SingleValuedNumericLabelIsError) {
  auto e = error_from_text("a,cls\n1,7\n2,7\n", label("cls"));
  ASSERT_TRUE(e);
  EXPECT_CONTAINS(e->what(), "bad.csv");
  EXPECT_CONTAINS(e->what(), "cls");
}

// ---------------------------------------------------------------------------
// Cell errors

TEST(DatasetError, NonNumericFeatureCellNamesLineAndColumn) {
  auto e = error_from_text("a,b,y\n1,2,p\n3,abc,q\n", label("y"));
  ASSERT_TRUE(e);
  EXPECT_CONTAINS(e->what(), "bad.csv:3:2");
}

TEST(DatasetError, NonNumericFeatureColumnNumberCountsTheLabelColumn) {
  auto e = error_from_text("y,a,b\np,1,2\nq,3,4\n\np,5,x7\n", label("y"));
  ASSERT_TRUE(e);
  EXPECT_CONTAINS(e->what(), "bad.csv:5:3");
}

TEST(DatasetError, NonNumericFeatureIsErrorEvenWhenDroppingRows) {
  DatasetOptions o = label("y");
  o.bad_values = BadValuePolicy::kDropRow;
  auto e = error_from_text("a,y\n1,p\nabc,q\n", o);
  ASSERT_TRUE(e);
  EXPECT_CONTAINS(e->what(), "bad.csv:3:1");
}

class BadValueCell : public ::testing::TestWithParam<const char*> {};

TEST_P(BadValueCell, IsAnErrorByDefaultNamingLineAndColumn) {
  std::string text = "a,b,y\n1,2,p\n3,4,q\n\n5," + std::string(GetParam()) + ",p\n7,8,q\n";
  auto e = error_from_text(text, label("y"));
  ASSERT_TRUE(e);
  EXPECT_CONTAINS(e->what(), "bad.csv:5:2");
}

TEST_P(BadValueCell, IsDroppedWithDropRowPolicy) {
  std::string text = "a,b,y\n1,2,p\n3,4,q\n\n5," + std::string(GetParam()) + ",p\n7,8,q\n";
  DatasetOptions o = label("y");
  o.bad_values = BadValuePolicy::kDropRow;
  Dataset d = from_text(text, o);
  EXPECT_EQ(d.dropped_rows, 1);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d.line_numbers, (Lines{2, 3, 6}));
  EXPECT_FLOAT_EQ(d.features(2, 0), 7);
  EXPECT_FLOAT_EQ(d.features(2, 1), 8);
  EXPECT_EQ(d.classes, (std::vector<int>{0, 1, 1}));
}

INSTANTIATE_TEST_SUITE_P(Cells, BadValueCell,
                         ::testing::Values("", "nan", "NaN", "NA", "null", "inf", "-inf", "1e999",
                                           "-1e999"));

TEST(DatasetError, QuotedEmptyFeatureCellIsBadValue) {
  auto e = error_from_text("a,b,y\n1,2,p\n3,\"\",q\n", label("y"));
  ASSERT_TRUE(e);
  EXPECT_CONTAINS(e->what(), "bad.csv:3:2");
}

TEST(DatasetError, EmptyLabelCellIsBadValue) {
  auto e = error_from_text("a,y\n1,p\n2,\n3,q\n", label("y"));
  ASSERT_TRUE(e);
  EXPECT_CONTAINS(e->what(), "bad.csv:3:2");
}

TEST(Dataset, EmptyLabelCellIsDroppedWithDropRowPolicy) {
  DatasetOptions o = label("y");
  o.bad_values = BadValuePolicy::kDropRow;
  Dataset d = from_text("a,y\n1,p\n2,\n3,q\n", o);
  EXPECT_EQ(d.dropped_rows, 1);
  EXPECT_EQ(d.line_numbers, (Lines{2, 4}));
  EXPECT_EQ(d.class_names, (Strings{"p", "q"}));
}

TEST(DatasetError, NanClassLabelIsBadValue) {
  auto e = error_from_text("a,y\n1,p\n2,q\n3,nan\n", label("y"));
  ASSERT_TRUE(e);
  EXPECT_CONTAINS(e->what(), "bad.csv:4:2");
}

TEST(DatasetError, RegressionLabelInfIsBadValue) {
  auto e = error_from_text("a,y\n1,0.5\n2,1.5\n3,inf\n", label("y"));
  ASSERT_TRUE(e);
  EXPECT_CONTAINS(e->what(), "bad.csv:4:2");
}

TEST(Dataset, DropRowCountsSeveralRowsAndKeepsLineNumbers) {
  DatasetOptions o = label("y");
  o.bad_values = BadValuePolicy::kDropRow;
  Dataset d = from_text(
      "a,b,y\n"      // 1
      "nan,1,p\n"    // 2 dropped
      "1,2,p\n"      // 3
      "\n"           // 4
      "2,,q\n"       // 5 dropped
      "3,4,q\n"      // 6
      "\n"           // 7
      "\n"           // 8
      "inf,-inf,p\n" // 9 dropped (one row, two bad cells)
      "5,6,q\n",     // 10
      o);
  EXPECT_EQ(d.dropped_rows, 3);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d.line_numbers, (Lines{3, 6, 10}));
  EXPECT_EQ(d.classes, (std::vector<int>{0, 1, 1}));
  EXPECT_FLOAT_EQ(d.features(0, 0), 1);
  EXPECT_FLOAT_EQ(d.features(1, 1), 4);
  EXPECT_FLOAT_EQ(d.features(2, 1), 6);
}

TEST(DatasetError, DefaultPolicyReportsTheFirstBadValue) {
  auto e = error_from_text("a,b,y\n1,2,p\n3,nan,q\n,4,p\n", label("y"));
  ASSERT_TRUE(e);
  EXPECT_CONTAINS(e->what(), "bad.csv:3:2");
}

// ---------------------------------------------------------------------------
// Warnings

TEST(Dataset, ConstantFeatureColumnIsAWarningNotAnError) {
  Dataset d = from_text("a,steady,y\n1,5,p\n2,5,q\n3,5,p\n", label("y"));
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d.feature_names, (Strings{"a", "steady"}));
  EXPECT_FLOAT_EQ(d.features(1, 1), 5);
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_CONTAINS(d.warnings[0], "steady");
}

TEST(Dataset, EachConstantColumnGetsItsOwnWarning) {
  Dataset d = from_text("flat_one,a,flat_two,y\n0,1,-3,p\n0,2,-3,q\n", label("y"));
  ASSERT_EQ(d.warnings.size(), 2u);
  EXPECT_CONTAINS(d.warnings[0] + "\n" + d.warnings[1], "flat_one");
  EXPECT_CONTAINS(d.warnings[0] + "\n" + d.warnings[1], "flat_two");
  EXPECT_EQ(d.features.cols(), 3);
}

TEST(Dataset, NonConstantColumnsGiveNoWarning) {
  Dataset d = from_text("a,b,y\n1,5,p\n2,6,q\n", label("y"));
  EXPECT_TRUE(d.warnings.empty());
}

// ---------------------------------------------------------------------------
// class_names option

TEST(Dataset, ClassNamesOptionMapsThroughTheGivenOrder) {
  DatasetOptions o = label("y");
  o.class_names = {"zebra", "ant", "moose"};
  Dataset d = from_text("x,y\n1,ant\n2,zebra\n3,ant\n", o);
  EXPECT_EQ(d.task, Task::kClassification);
  EXPECT_EQ(d.class_names, (Strings{"zebra", "ant", "moose"}));
  EXPECT_EQ(d.classes, (std::vector<int>{1, 0, 1}));
}

TEST(Dataset, ClassNamesOptionWithIntegerLabels) {
  DatasetOptions o = label("y");
  o.class_names = {"10", "9", "2"};
  Dataset d = from_text("x,y\n1,2\n2,10\n3,9\n", o);
  EXPECT_EQ(d.class_names, (Strings{"10", "9", "2"}));
  EXPECT_EQ(d.classes, (std::vector<int>{2, 0, 1}));
}

TEST(Dataset, ClassNamesOptionAllowsASingleValuedLabel) {
  DatasetOptions o = label("y");
  o.class_names = {"a", "b"};
  Dataset d = from_text("x,y\n1,b\n2,b\n", o);
  EXPECT_EQ(d.classes, (std::vector<int>{1, 1}));
}

TEST(DatasetError, ClassNamesOptionUnknownLabelNamesLineAndColumn) {
  DatasetOptions o = label("y");
  o.class_names = {"a", "b"};
  auto e = error_from_text("x,y\n1,a\n\n2,c\n3,b\n", o);
  ASSERT_TRUE(e);
  EXPECT_CONTAINS(e->what(), "bad.csv:4:2");
}

// ---------------------------------------------------------------------------
// feature_names option

TEST(Dataset, FeatureNamesOptionSelectsAndReorders) {
  DatasetOptions o = label("y");
  o.feature_names = {"c", "a"};
  Dataset d = from_text("a,b,c,y\n1,2,3,p\n4,5,6,q\n", o);
  EXPECT_EQ(d.feature_names, (Strings{"c", "a"}));
  ASSERT_EQ(d.features.cols(), 2);
  EXPECT_FLOAT_EQ(d.features(0, 0), 3);
  EXPECT_FLOAT_EQ(d.features(0, 1), 1);
  EXPECT_FLOAT_EQ(d.features(1, 0), 6);
  EXPECT_FLOAT_EQ(d.features(1, 1), 4);
}

TEST(Dataset, FeatureNamesOptionIgnoresOtherColumnsEvenIfNotNumeric) {
  DatasetOptions o = label("y");
  o.feature_names = {"a"};
  Dataset d = from_text("id,a,y\nrow-one,1,p\nrow-two,2,q\n", o);
  EXPECT_EQ(d.feature_names, (Strings{"a"}));
  EXPECT_EQ(d.size(), 2u);
}

TEST(DatasetError, FeatureNamesOptionMissingColumnIsError) {
  DatasetOptions o = label("y");
  o.feature_names = {"a", "gyro_z"};
  auto e = error_from_text("a,b,y\n1,2,p\n3,4,q\n", o);
  ASSERT_TRUE(e);
  EXPECT_CONTAINS(e->what(), "bad.csv");
  EXPECT_CONTAINS(e->what(), "gyro_z");
}

// ---------------------------------------------------------------------------
// require_label

TEST(Dataset, RequireLabelFalseAllowsNoLabelColumn) {
  DatasetOptions o = label("y");
  o.require_label = false;
  Dataset d = from_text("a,b\n1,2\n3,4\n", o);
  EXPECT_FALSE(d.has_targets());
  EXPECT_TRUE(d.classes.empty());
  EXPECT_EQ(d.values.size(), 0);
  EXPECT_EQ(d.feature_names, (Strings{"a", "b"}));
  ASSERT_EQ(d.size(), 2u);
  EXPECT_FLOAT_EQ(d.features(1, 0), 3);
  EXPECT_EQ(d.line_numbers, (Lines{2, 3}));
}

TEST(Dataset, RequireLabelFalseWithFeatureAndClassNames) {
  // Prediction input: the model gives features and classes, the file has no label.
  DatasetOptions o = label("y");
  o.require_label = false;
  o.feature_names = {"b", "a"};
  o.class_names = {"p", "q"};
  Dataset d = from_text("a,b\n1,2\n3,4\n", o);
  EXPECT_FALSE(d.has_targets());
  EXPECT_EQ(d.feature_names, (Strings{"b", "a"}));
  EXPECT_FLOAT_EQ(d.features(0, 0), 2);
}

TEST(Dataset, RequireLabelFalseStillUsesAPresentLabelColumn) {
  DatasetOptions o = label("y");
  o.require_label = false;
  Dataset d = from_text("a,y\n1,p\n2,q\n", o);
  EXPECT_EQ(d.feature_names, (Strings{"a"}));
  EXPECT_TRUE(d.has_targets());
  EXPECT_EQ(d.classes, (std::vector<int>{0, 1}));
}

// ---------------------------------------------------------------------------
// load_dataset

TEST(LoadDataset, ReadsFileAndErrorsNameIt) {
  testing::TempDir dir;
  auto good = dir.write("good.csv", "x1,x2,label\n0.5,1,cat\n1.5,2,dog\n2.5,3,cat\n");
  Dataset d = load_dataset(good, label("label"));
  EXPECT_CONTAINS(d.source, "good.csv");
  EXPECT_EQ(d.class_names, (Strings{"cat", "dog"}));
  EXPECT_EQ(d.size(), 3u);

  auto bad = dir.write("bad.csv", "x1,x2,label\n0.5,1,cat\n1.5,oops,dog\n");
  auto e = catch_error([&] { load_dataset(bad, label("label")); });
  ASSERT_TRUE(e);
  EXPECT_CONTAINS(e->what(), "bad.csv:3:2");
}

TEST(LoadDataset, MissingFileIsIoError) {
  testing::TempDir dir;
  auto e = catch_error([&] { load_dataset(dir.path() / "nope.csv", label("y")); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), ErrorKind::kIo);
  EXPECT_CONTAINS(e->what(), "nope.csv");
}

TEST(LoadDataset, MissingLabelNamesFile) {
  testing::TempDir dir;
  auto bad = dir.write("bad.csv", "a,b\n1,2\n");
  auto e = catch_error([&] { load_dataset(bad, label("target")); });
  ASSERT_TRUE(e);
  EXPECT_CONTAINS(e->what(), "bad.csv");
  EXPECT_CONTAINS(e->what(), "target");
}

// ---------------------------------------------------------------------------
// subset

TEST(DatasetSubset, KeepsMetadataAndOrder) {
  Dataset d = from_text("a,b,y\n1,2,p\n3,4,q\n\n5,6,r\n7,8,p\n", label("y"));
  Dataset s = d.subset({3, 0, 2});
  EXPECT_EQ(s.source, d.source);
  EXPECT_EQ(s.task, d.task);
  EXPECT_EQ(s.feature_names, d.feature_names);
  EXPECT_EQ(s.label_name, "y");
  EXPECT_EQ(s.class_names, d.class_names);
  ASSERT_EQ(s.size(), 3u);
  ASSERT_EQ(s.features.cols(), 2);
  EXPECT_FLOAT_EQ(s.features(0, 0), 7);
  EXPECT_FLOAT_EQ(s.features(0, 1), 8);
  EXPECT_FLOAT_EQ(s.features(1, 0), 1);
  EXPECT_FLOAT_EQ(s.features(2, 1), 6);
  EXPECT_EQ(s.classes, (std::vector<int>{0, 0, 2}));
  EXPECT_EQ(s.line_numbers, (Lines{6, 2, 5}));
}

TEST(DatasetSubset, RegressionValuesFollow) {
  Dataset d = from_text("a,y\n1,0.5\n2,1.5\n3,2.5\n", label("y"));
  Dataset s = d.subset({2, 1});
  EXPECT_EQ(s.task, Task::kRegression);
  ASSERT_EQ(s.values.size(), 2);
  EXPECT_FLOAT_EQ(s.values(0), 2.5f);
  EXPECT_FLOAT_EQ(s.values(1), 1.5f);
  EXPECT_TRUE(s.classes.empty());
  EXPECT_FLOAT_EQ(s.features(0, 0), 3);
}

TEST(DatasetSubset, EmptySubsetAndNoTargets) {
  DatasetOptions o = label("y");
  o.require_label = false;
  Dataset d = from_text("a,b\n1,2\n3,4\n", o);
  Dataset s = d.subset({1});
  EXPECT_FALSE(s.has_targets());
  EXPECT_EQ(s.size(), 1u);
  EXPECT_FLOAT_EQ(s.features(0, 1), 4);
  Dataset none = d.subset({});
  EXPECT_EQ(none.size(), 0u);
  EXPECT_EQ(none.feature_names, d.feature_names);
  EXPECT_EQ(none.features.cols(), 2);
}

}  // namespace
}  // namespace tinymlops

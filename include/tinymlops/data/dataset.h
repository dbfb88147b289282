// A labelled table of numeric features, ready for training.
//
// A Dataset comes from a CSV file: one label (target) column chosen by name, every
// other column a numeric feature. Class labels may be strings ("setosa") or
// integers; they are mapped to indices 0..K-1 and the names are kept (they travel
// with the model, so predictions print the user's names).
//
// Cells that are empty, "nan"/"NaN", "NA", "null", "inf"/"-inf" or numbers too
// large for a double are "bad values" (missing or not finite). By default the
// first one is an error naming "file:line:column"; with BadValuePolicy::kDropRow
// such rows are dropped and counted in Dataset::dropped_rows. A feature cell that
// is not a number at all ("abc") is always an error. When loading training data
// (options.class_names and options.feature_names empty), a label column with a
// single value is an error (nothing to learn). A constant feature column is kept
// and reported in Dataset::warnings (it is harmless: normalization maps it to 0).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tinymlops/data/csv.h"

namespace tinymlops {

// Rows are samples; columns are features. Row-major so one sample is contiguous.
using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

enum class Task { kClassification, kRegression };
const char* task_name(Task task);                 // "classification" / "regression"
Task parse_task(const std::string& name);         // throws Error(kUsage) on an unknown name

enum class BadValuePolicy { kError, kDropRow };

struct DatasetOptions {
  std::string label;                 // name of the target column; required
  std::optional<Task> task;          // unset: inferred (see load_dataset)
  BadValuePolicy bad_values = BadValuePolicy::kError;
  // When non-empty (e.g. from a trained model), class labels are mapped through
  // this list, in this order; a label not in it is an error naming file:line:col.
  std::vector<std::string> class_names;
  // When non-empty, exactly these feature columns are taken, in this order, and
  // any other non-label column is ignored; a missing one is an error.
  std::vector<std::string> feature_names;
  // When false, a missing label column is allowed (prediction input): the dataset
  // then has no targets (classes and values empty).
  bool require_label = true;
};

struct Dataset {
  std::string source;                      // file the rows came from
  Task task = Task::kClassification;
  std::vector<std::string> feature_names;  // in column order
  std::string label_name;
  std::vector<std::string> class_names;    // classification only; index = class id
  Matrix features;                         // size() x feature_names.size()
  std::vector<int> classes;                // classification targets, or empty
  Eigen::VectorXf values;                  // regression targets, or empty
  std::vector<int64_t> line_numbers;       // file line of each row
  int64_t dropped_rows = 0;                // rows removed by BadValuePolicy::kDropRow
  std::vector<std::string> warnings;       // one line each, e.g. constant columns

  size_t size() const { return static_cast<size_t>(features.rows()); }
  bool has_targets() const { return !classes.empty() || values.size() > 0; }
  // The rows at `indices`, in that order, with the same metadata.
  Dataset subset(const std::vector<size_t>& indices) const;
};

// Builds a dataset from a parsed table.
//
// Task inference when options.task is unset: a label column with any non-numeric
// cell is classification; one whose values are all integers with at most 20
// distinct values is classification; anything else is regression.
// Class order: numeric labels sorted by value, string labels sorted by byte order.
// Errors name "file:line:column"; a problem with a whole column (single-valued
// label) names the column's header cell, and one with the header as a whole
// (missing label or feature column, no data rows) names the header line.
Dataset dataset_from_table(const CsvTable& table, const DatasetOptions& options);

// read_csv + dataset_from_table.
Dataset load_dataset(const std::filesystem::path& path, const DatasetOptions& options);

}  // namespace tinymlops

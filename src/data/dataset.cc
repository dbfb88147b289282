// From a CSV table to a Dataset: column selection, cell checks, the bad-value
// policy, task inference and the class-name mapping.
#include "tinymlops/data/dataset.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "tinymlops/core/error.h"

namespace tinymlops {
namespace {

std::string place(const CsvTable& table, size_t row, size_t column) {
  return table.source + ":" + std::to_string(table.line_numbers[row]) + ":" +
         std::to_string(column + 1);
}

// Whole-column problems point at the column's header cell.
std::string header_place(const CsvTable& table, size_t column) {
  return table.source + ":" + std::to_string(table.header_line) + ":" + std::to_string(column + 1);
}

std::string header_line(const CsvTable& table) {
  return table.source + ":" + std::to_string(table.header_line);
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A missing or non-finite number: empty, NaN, Inf, or out of double's range.
bool is_bad_value(const std::string& cell) {
  static const std::set<std::string> names = {"", "nan", "-nan", "+nan", "inf", "-inf", "+inf",
                                              "infinity", "-infinity", "+infinity", "na", "n/a",
                                              "null"};
  std::string text = lower(cell);
  if (names.count(text)) return true;
  // Syntactically a number but too large for a double ("1e999").
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && !std::isfinite(value);
}

struct Columns {
  int label = -1;             // index in the table, -1 when absent
  std::vector<size_t> features;  // indices in the table, in dataset order
};

Columns choose_columns(const CsvTable& table, const DatasetOptions& options) {
  if (options.label.empty()) throw Error(ErrorKind::kUsage, "", "no label column given (--label)");
  Columns columns;
  for (size_t i = 0; i < table.header.size(); ++i) {
    if (table.header[i] == options.label) columns.label = static_cast<int>(i);
  }
  if (columns.label < 0 && options.require_label) {
    std::string names;
    for (const std::string& name : table.header) names += (names.empty() ? "" : ", ") + name;
    throw Error(ErrorKind::kInvalid, header_line(table),
                "no label column '" + options.label + "' in the header (columns: " + names + ")");
  }
  if (options.feature_names.empty()) {
    for (size_t i = 0; i < table.header.size(); ++i) {
      if (static_cast<int>(i) != columns.label) columns.features.push_back(i);
    }
  } else {
    for (const std::string& name : options.feature_names) {
      auto found = std::find(table.header.begin(), table.header.end(), name);
      if (found == table.header.end()) {
        throw Error(ErrorKind::kInvalid, header_line(table), "missing feature column '" + name + "'");
      }
      columns.features.push_back(static_cast<size_t>(found - table.header.begin()));
    }
  }
  if (columns.features.empty()) {
    throw Error(ErrorKind::kInvalid, header_line(table), "no feature columns besides the label");
  }
  return columns;
}

// Rows to keep under the bad-value policy; throws on the first bad or
// non-numeric cell that the policy does not allow.
std::vector<size_t> check_cells(const CsvTable& table, const Columns& columns,
                                const DatasetOptions& options, bool label_is_numeric) {
  std::vector<size_t> keep;
  for (size_t r = 0; r < table.rows.size(); ++r) {
    bool bad_row = false;
    auto check = [&](size_t column, bool numeric) {
      const std::string& cell = table.rows[r][column];
      if (is_bad_value(cell)) {
        if (options.bad_values == BadValuePolicy::kError) {
          std::string shown = cell.empty() ? "empty cell" : "'" + cell + "'";
          throw Error(ErrorKind::kInvalid, place(table, r, column),
                      shown + " in column '" + table.header[column] +
                          "' (use --drop-bad-rows to skip such rows)");
        }
        bad_row = true;
        return;
      }
      double value = 0;
      if (numeric && !parse_number(cell, &value)) {
        throw Error(ErrorKind::kParse, place(table, r, column),
                    "'" + cell + "' is not a number (column '" + table.header[column] + "')");
      }
    };
    for (size_t column : columns.features) check(column, true);
    if (columns.label >= 0) check(static_cast<size_t>(columns.label), label_is_numeric);
    if (!bad_row) keep.push_back(r);
  }
  return keep;
}

// Classification when the label has a non-numeric cell, or only integers with at
// most 20 distinct values.
Task infer_task(const CsvTable& table, size_t label) {
  std::set<double> distinct;
  bool all_integers = true;
  for (const auto& row : table.rows) {
    if (is_bad_value(row[label])) continue;
    double value = 0;
    if (!parse_number(row[label], &value)) return Task::kClassification;
    if (value != std::floor(value)) all_integers = false;
    distinct.insert(value);
  }
  return all_integers && distinct.size() <= 20 ? Task::kClassification : Task::kRegression;
}

// Class names in order: numeric labels by value (named as first written), string
// labels by byte order.
std::vector<std::string> class_names_of(const CsvTable& table, size_t label,
                                        const std::vector<size_t>& rows) {
  bool numeric = true;
  std::map<double, std::string> by_value;
  std::set<std::string> by_text;
  for (size_t r : rows) {
    const std::string& cell = table.rows[r][label];
    double value = 0;
    if (numeric && parse_number(cell, &value)) {
      by_value.emplace(value, cell);
    } else {
      numeric = false;
    }
    by_text.insert(cell);
  }
  std::vector<std::string> names;
  if (numeric) {
    for (const auto& [value, name] : by_value) names.push_back(name);
  } else {
    names.assign(by_text.begin(), by_text.end());
  }
  return names;
}

// Index of `cell` in `names`: by text, else (for numbers) by value.
int class_index(const std::vector<std::string>& names, const std::string& cell) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == cell) return static_cast<int>(i);
  }
  double value = 0;
  double name_value = 0;
  if (!parse_number(cell, &value)) return -1;
  for (size_t i = 0; i < names.size(); ++i) {
    if (parse_number(names[i], &name_value) && name_value == value) return static_cast<int>(i);
  }
  return -1;
}

void warn_constant_columns(const CsvTable& table, const Columns& columns, Dataset& dataset) {
  if (dataset.size() < 2) return;
  for (Eigen::Index j = 0; j < dataset.features.cols(); ++j) {
    auto column = dataset.features.col(j);
    if (column.minCoeff() == column.maxCoeff()) {
      dataset.warnings.push_back(header_place(table, columns.features[static_cast<size_t>(j)]) +
                                 ": feature column '" +
                                 dataset.feature_names[static_cast<size_t>(j)] +
                                 "' is constant (" + std::to_string(column(0)) +
                                 "); it carries no information");
    }
  }
}

}  // namespace

Dataset dataset_from_table(const CsvTable& table, const DatasetOptions& options) {
  Columns columns = choose_columns(table, options);
  Dataset dataset;
  dataset.source = table.source;
  dataset.label_name = options.label;
  for (size_t column : columns.features) dataset.feature_names.push_back(table.header[column]);
  bool has_label = columns.label >= 0;
  size_t label = has_label ? static_cast<size_t>(columns.label) : 0;
  if (options.task) {
    dataset.task = *options.task;
  } else if (has_label) {
    dataset.task = infer_task(table, label);
  }
  bool regression = dataset.task == Task::kRegression;

  std::vector<size_t> rows = check_cells(table, columns, options, has_label && regression);
  dataset.dropped_rows = static_cast<int64_t>(table.rows.size() - rows.size());
  if (rows.empty()) {
    throw Error(ErrorKind::kInvalid, header_line(table),
                table.rows.empty() ? "no data rows after the header" : "no rows left after dropping bad rows");
  }

  dataset.features.resize(static_cast<Eigen::Index>(rows.size()),
                          static_cast<Eigen::Index>(columns.features.size()));
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t j = 0; j < columns.features.size(); ++j) {
      double value = 0;
      parse_number(table.rows[rows[i]][columns.features[j]], &value);
      dataset.features(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
          static_cast<float>(value);
    }
    dataset.line_numbers.push_back(table.line_numbers[rows[i]]);
  }

  bool training = options.class_names.empty() && options.feature_names.empty();
  if (has_label && regression) {
    dataset.values.resize(static_cast<Eigen::Index>(rows.size()));
    for (size_t i = 0; i < rows.size(); ++i) {
      double value = 0;
      parse_number(table.rows[rows[i]][label], &value);
      dataset.values(static_cast<Eigen::Index>(i)) = static_cast<float>(value);
    }
    if (training && rows.size() > 1 && dataset.values.minCoeff() == dataset.values.maxCoeff()) {
      throw Error(ErrorKind::kInvalid, header_place(table, label),
                  "label column '" + options.label + "' has a single value; nothing to learn");
    }
  } else if (has_label) {
    dataset.class_names = options.class_names.empty() ? class_names_of(table, label, rows)
                                                      : options.class_names;
    for (size_t r : rows) {
      int index = class_index(dataset.class_names, table.rows[r][label]);
      if (index < 0) {
        throw Error(ErrorKind::kInvalid, place(table, r, label),
                    "label '" + table.rows[r][label] + "' is not one of the model's classes");
      }
      dataset.classes.push_back(index);
    }
    if (training && dataset.class_names.size() < 2) {
      throw Error(ErrorKind::kInvalid, header_place(table, label),
                  "label column '" + options.label + "' has a single value '" +
                      dataset.class_names[0] + "'; nothing to learn");
    }
  } else {
    dataset.class_names = options.class_names;
  }
  warn_constant_columns(table, columns, dataset);
  return dataset;
}

Dataset load_dataset(const std::filesystem::path& path, const DatasetOptions& options) {
  return dataset_from_table(read_csv(path), options);
}

Dataset Dataset::subset(const std::vector<size_t>& indices) const {
  Dataset out;
  out.source = source;
  out.task = task;
  out.feature_names = feature_names;
  out.label_name = label_name;
  out.class_names = class_names;
  out.dropped_rows = dropped_rows;
  out.warnings = warnings;
  out.features.resize(static_cast<Eigen::Index>(indices.size()), features.cols());
  if (values.size() > 0) out.values.resize(static_cast<Eigen::Index>(indices.size()));
  for (size_t i = 0; i < indices.size(); ++i) {
    auto row = static_cast<Eigen::Index>(indices[i]);
    out.features.row(static_cast<Eigen::Index>(i)) = features.row(row);
    if (!classes.empty()) out.classes.push_back(classes[indices[i]]);
    if (values.size() > 0) out.values(static_cast<Eigen::Index>(i)) = values(row);
    out.line_numbers.push_back(line_numbers[indices[i]]);
  }
  return out;
}

}  // namespace tinymlops

// `exp show`: experiments as a table, sorted and with chosen columns.
#include <algorithm>

#include "tinymlops/core/error.h"
#include "tinymlops/track/report.h"

namespace tinymlops::track {

namespace {

using Json = nlohmann::ordered_json;

const char* const kFixedColumns[] = {"id", "name", "status", "started", "duration"};

// The value of `key` in the metrics, else in the params; null when neither has it.
Json lookup(const Experiment& e, const std::string& key) {
  if (e.metrics.is_object() && e.metrics.contains(key)) return e.metrics[key];
  if (e.params.is_object() && e.params.contains(key)) return e.params[key];
  return nullptr;
}

void add_keys(const Json& object, std::vector<std::string>& keys) {
  if (!object.is_object()) return;
  for (const auto& [key, value] : object.items())
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
}

std::string cell(const Experiment& e, const std::string& column) {
  if (column == "id") return e.id;
  if (column == "name") return e.name;
  if (column == "status") return e.status.empty() ? "-" : e.status;
  if (column == "started") return e.started_at.empty() ? "-" : e.started_at;
  if (column == "duration") return format_number(e.duration_seconds) + "s";
  if (column == "commit") return e.git_commit.empty() ? "-" : e.git_commit.substr(0, 10);
  if (column == "stage") return e.stage.empty() ? "-" : e.stage;
  return format_value(lookup(e, column));
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

}  // namespace

std::vector<Experiment> sort_experiments(std::vector<Experiment> experiments, const ShowOptions& options) {
  if (options.sort_by.empty()) return experiments;
  bool known = false;
  for (const Experiment& e : experiments) known = known || !lookup(e, options.sort_by).is_null();
  if (!known && !experiments.empty()) {
    std::vector<std::string> keys;
    for (const Experiment& e : experiments) add_keys(e.metrics, keys), add_keys(e.params, keys);
    throw Error(ErrorKind::kUsage, "--sort",
                "no experiment has a metric or param \"" + options.sort_by + "\" (known: " + joined(keys) + ")");
  }
  std::stable_sort(experiments.begin(), experiments.end(), [&](const Experiment& a, const Experiment& b) {
    Json x = lookup(a, options.sort_by), y = lookup(b, options.sort_by);
    if (!x.is_number() || !y.is_number()) return x.is_number() && !y.is_number();  // numbers first
    double u = x.get<double>(), v = y.get<double>();
    return options.descending ? u > v : u < v;
  });
  return experiments;
}

Table experiments_table(const std::vector<Experiment>& unsorted, const ShowOptions& options) {
  std::vector<Experiment> experiments = sort_experiments(unsorted, options);
  std::vector<std::string> params, metrics;
  for (const Experiment& e : experiments) add_keys(e.params, params), add_keys(e.metrics, metrics);
  Table table;
  if (options.columns.empty()) {
    table.header.assign(std::begin(kFixedColumns), std::end(kFixedColumns));
    table.header.insert(table.header.end(), params.begin(), params.end());
    table.header.insert(table.header.end(), metrics.begin(), metrics.end());
  } else {
    std::vector<std::string> known(std::begin(kFixedColumns), std::end(kFixedColumns));
    known.push_back("commit");
    known.push_back("stage");
    known.insert(known.end(), params.begin(), params.end());
    known.insert(known.end(), metrics.begin(), metrics.end());
    for (const std::string& column : options.columns) {
      if (std::find(known.begin(), known.end(), column) == known.end()) {
        throw Error(ErrorKind::kUsage, "--columns", "unknown column \"" + column + "\" (known: " + joined(known) + ")");
      }
    }
    table.header = options.columns;
  }
  for (const Experiment& e : experiments) {
    std::vector<std::string> row;
    for (const std::string& column : table.header) row.push_back(cell(e, column));
    table.rows.push_back(std::move(row));
  }
  return table;
}

}  // namespace tinymlops::track

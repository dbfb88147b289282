// `exp diff` and `metrics diff`: two experiments side by side.
#include <algorithm>

#include "tinymlops/track/report.h"

namespace tinymlops::track {

namespace {

using Json = nlohmann::ordered_json;

void diff_section(const std::string& section, const Json& a, const Json& b, std::vector<DiffRow>& rows) {
  std::vector<std::string> keys;
  for (const Json* object : {&a, &b}) {
    if (!object->is_object()) continue;
    for (const auto& [key, value] : object->items())
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  }
  for (const std::string& key : keys) {
    DiffRow row{section, key, nullptr, nullptr, nullptr};
    if (a.is_object() && a.contains(key)) row.a = a[key];
    if (b.is_object() && b.contains(key)) row.b = b[key];
    if (section == "hashes" && row.a == row.b) continue;  // only what changed
    if (row.a.is_number() && row.b.is_number()) row.delta = row.b.get<double>() - row.a.get<double>();
    rows.push_back(std::move(row));
  }
}

}  // namespace

std::vector<DiffRow> diff_experiments(const Experiment& a, const Experiment& b, bool metrics_only) {
  std::vector<DiffRow> rows;
  if (!metrics_only) diff_section("params", a.params, b.params, rows);
  diff_section("metrics", a.metrics, b.metrics, rows);
  if (!metrics_only) diff_section("hashes", a.hashes, b.hashes, rows);
  return rows;
}

Table diff_table(const std::vector<DiffRow>& rows, const std::string& a_label, const std::string& b_label) {
  Table table{{"", "key", a_label, b_label, "delta"}, {}};
  for (const DiffRow& row : rows) {
    std::string a = format_value(row.a), b = format_value(row.b);
    if (row.section == "hashes") {  // 12 hex digits are enough to tell them apart
      if (row.a.is_string()) a = a.substr(0, 12);
      if (row.b.is_string()) b = b.substr(0, 12);
    }
    std::string delta = row.delta.is_number() ? format_delta(row.delta.get<double>()) : row.a == row.b ? "" : "changed";
    table.rows.push_back({row.section, row.key, a, b, delta});
  }
  return table;
}

nlohmann::ordered_json diff_json(const std::vector<DiffRow>& rows, const Experiment& a, const Experiment& b) {
  Json out = {{"a", a.id}, {"b", b.id}, {"rows", Json::array()}};
  for (const DiffRow& row : rows) {
    out["rows"].push_back({{"section", row.section}, {"key", row.key}, {"a", row.a}, {"b", row.b}, {"delta", row.delta}});
  }
  return out;
}

}  // namespace tinymlops::track

// Tables and number formatting shared by every report.
#include <charconv>
#include <cmath>

#include "tinymlops/track/report.h"

namespace tinymlops::track {

std::string render_text(const Table& table) {
  std::vector<size_t> widths(table.header.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  };
  measure(table.header);
  for (const auto& row : table.rows) measure(row);
  std::string out;
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - row[c].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  };
  emit(table.header);
  for (const auto& row : table.rows) emit(row);
  return out;
}

std::string render_csv(const Table& table) {
  std::string out;
  auto emit = [&](const std::vector<std::string>& row) {
    for (size_t c = 0; c < row.size(); ++c) {
      const std::string& cell = row[c];
      if (c) out += ',';
      if (cell.find_first_of(",\"\r\n") == std::string::npos) {
        out += cell;
        continue;
      }
      out += '"';
      for (char ch : cell) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
      out += '"';
    }
    out += "\n";
  };
  emit(table.header);
  for (const auto& row : table.rows) emit(row);
  return out;
}

std::string format_number(double value) {
  if (std::isfinite(value) && value == std::trunc(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general, 6);
  return std::string(buffer, result.ptr);
}

std::string format_delta(double delta) {
  std::string text = format_number(delta);
  if (text == "0" || text == "-0") return "0";
  return delta > 0 ? "+" + text : text;
}

std::string format_value(const nlohmann::ordered_json& value) {
  if (value.is_null()) return "-";
  if (value.is_number()) return format_number(value.get<double>());
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

}  // namespace tinymlops::track

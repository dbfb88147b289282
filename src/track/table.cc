// Number and value formatting shared by every report.
#include <charconv>
#include <cmath>

#include "tinymlops/track/report.h"

namespace tinymlops::track {

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

// The C text of values and names in generated code: the private helpers of
// c_literals.h and the public c_identifier, c_float_literal and c_macro_prefix
// (declared in tinymlops/codegen/c_emitter.h).
#include "codegen/c_literals.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "tinymlops/codegen/c_emitter.h"
#include "tinymlops/core/error.h"

namespace tinymlops {

namespace {

// `digits` ("0.7", "1", "1e+10") as a C float literal: ".0" added when it
// reads as an integer, then the "f" suffix.
std::string float_literal_of_digits(std::string digits) {
  if (digits.find_first_of(".e") == std::string::npos) digits += ".0";
  return digits + "f";
}

}  // namespace

namespace codegen {

std::string int_literal(int64_t value) {
  if (value == INT32_MIN) return "(-2147483647 - 1)";
  return std::to_string(value);
}

std::string string_literal(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string short_float_literal(float value) {
  char text[32];
  for (int digits = 1; digits <= 9; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, static_cast<double>(value));
    if (std::strtof(text, nullptr) == value) break;
  }
  return float_literal_of_digits(text);
}

}  // namespace codegen

std::string c_identifier(const std::string& name) {
  std::string id;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    id += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_';
  }
  if (id.empty()) return "model";
  if (std::isdigit(static_cast<unsigned char>(id[0]))) id = "m_" + id;
  return id;
}

std::string c_float_literal(float value, const std::string& where) {
  if (!std::isfinite(value)) throw Error(ErrorKind::kInvalid, where, "constant is not finite");
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", static_cast<double>(value));  // 9 digits round-trip a float
  return float_literal_of_digits(text);
}

std::string c_macro_prefix(const std::string& name) {
  std::string prefix = c_identifier(name);
  for (char& c : prefix) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return prefix;
}

}  // namespace tinymlops

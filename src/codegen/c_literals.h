// The C text of values in generated code: integer, float and string literals
// and the bodies of array initializers. The public ones (c_identifier,
// c_float_literal, c_macro_prefix) are declared in tinymlops/codegen/c_emitter.h
// and defined in c_literals.cc with these.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinymlops::codegen {

// `value` as a C integer literal. INT32_MIN is written "(-2147483647 - 1)":
// "-2147483648" would negate 2147483648, which has no int type.
std::string int_literal(int64_t value);

// `values` as the body of a C array initializer: a newline, then the values 16
// per line, each line indented two spaces, each value followed by a comma,
// then a final newline. `format(value)` gives one value's C text.
template <typename T, typename Format>
std::string initializer(const std::vector<T>& values, Format format) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    out += (i % 16 == 0) ? "\n  " : " ";
    out += format(values[i]) + ",";
  }
  return out + "\n";
}

// `text` as a C string literal: quotes and backslashes escaped, control
// characters written as spaces.
std::string string_literal(const std::string& text);

// The shortest C float literal that reads back as exactly `value`: "0.7f",
// where c_float_literal writes all nine digits ("0.699999988f"). For values a
// person typed, such as the offload threshold. REQUIRES: `value` is finite.
std::string short_float_literal(float value);

}  // namespace tinymlops::codegen

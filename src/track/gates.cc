#include "tinymlops/track/gates.h"

#include <charconv>
#include <cmath>
#include <regex>

#include "tinymlops/core/error.h"

namespace tinymlops::track {

namespace {

struct OpName {
  GateOp op;
  const char* symbol;
};
// Two-character symbols first: ">=" must not parse as ">" followed by "=0.9".
constexpr OpName kOps[] = {{GateOp::kGreaterEqual, ">="}, {GateOp::kLessEqual, "<="}, {GateOp::kEqual, "=="},
                           {GateOp::kNotEqual, "!="},     {GateOp::kGreater, ">"},    {GateOp::kLess, "<"}};
static_assert(std::size(kOps) == 6, "one entry per GateOp");

const char* const kExpected = "expected METRIC OP NUMBER with OP one of >=, <=, >, <, ==, !=";

std::string trim(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  size_t end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

bool compare(double actual, GateOp op, double threshold) {
  switch (op) {
    case GateOp::kGreaterEqual: return actual >= threshold;
    case GateOp::kLessEqual: return actual <= threshold;
    case GateOp::kGreater: return actual > threshold;
    case GateOp::kLess: return actual < threshold;
    case GateOp::kEqual: return actual == threshold;
    case GateOp::kNotEqual: return actual != threshold;
  }
  return false;
}

// Shortest text that reads back as the same double: what the user recorded.
std::string exact_number(double value) {
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

}  // namespace

const char* gate_op_symbol(GateOp op) {
  for (const OpName& entry : kOps)
    if (entry.op == op) return entry.symbol;
  return "?";
}

Gate parse_gate(const std::string& text, const std::string& location) {
  static const std::regex kShape(R"(^([A-Za-z_][A-Za-z0-9_./@-]*)\s*(>=|<=|==|!=|>|<)\s*(\S+)$)");
  Gate gate;
  gate.text = trim(text);
  std::smatch match;
  if (!std::regex_match(gate.text, match, kShape)) {
    throw Error(ErrorKind::kParse, location, "cannot parse gate \"" + gate.text + "\": " + kExpected);
  }
  gate.metric = match[1].str();
  for (const OpName& entry : kOps)
    if (match[2].str() == entry.symbol) gate.op = entry.op;
  std::string number = match[3].str();
  const char* begin = number.data() + (number[0] == '+' ? 1 : 0);
  auto [end, ec] = std::from_chars(begin, number.data() + number.size(), gate.threshold);
  if (ec != std::errc() || end != number.data() + number.size() || !std::isfinite(gate.threshold)) {
    throw Error(ErrorKind::kParse, location,
                "cannot parse gate \"" + gate.text + "\": \"" + number + "\" is not a number (" + kExpected + ")");
  }
  return gate;
}

std::vector<Gate> parse_gates(const std::vector<std::string>& gates, const std::string& source) {
  std::vector<Gate> parsed;
  for (size_t i = 0; i < gates.size(); ++i)
    parsed.push_back(parse_gate(gates[i], source + "[" + std::to_string(i) + "]"));
  return parsed;
}

std::vector<GateResult> evaluate_gates(const std::vector<std::string>& gates, const nlohmann::ordered_json& metrics,
                                       const std::string& source) {
  std::vector<GateResult> results;
  for (const Gate& gate : parse_gates(gates, source)) {
    GateResult result;
    result.gate = gate;
    const std::string prefix = "gate \"" + gate.text + "\" ";
    if (!metrics.is_object() || !metrics.contains(gate.metric)) {
      std::string recorded;
      if (metrics.is_object())
        for (const auto& [key, value] : metrics.items()) recorded += (recorded.empty() ? "" : ", ") + key;
      result.message = prefix + "failed: no metric \"" + gate.metric + "\" (recorded: " +
                       (recorded.empty() ? "none" : recorded) + ")";
    } else if (const auto& value = metrics[gate.metric]; !value.is_number()) {
      result.message = prefix + "failed: " + gate.metric + " = " + value.dump() + " is not a number";
    } else {
      result.actual = value.get<double>();
      result.passed = compare(*result.actual, gate.op, gate.threshold);
      result.message = prefix + (result.passed ? "passed: " : "failed: ") + gate.metric + " = " +
                       (value.is_number_float() ? exact_number(*result.actual) : value.dump());
    }
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace tinymlops::track

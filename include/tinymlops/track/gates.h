// Promotion gates: conditions a model version's metrics must meet.
//
// Grammar (one gate per string, as listed under `gates:` in tinymlops.yaml):
//
//   gate   := METRIC OP NUMBER
//   METRIC := a letter or '_' followed by letters, digits, '_', '.', '/', '@' or '-'
//             (a flattened metric name such as "accuracy" or "eval.drop_vs_float")
//   OP     := ">=" | "<=" | ">" | "<" | "==" | "!="
//   NUMBER := a decimal number as in C: "0.90", "-1", "65536", "1e-3"
//
// Spaces around the parts are optional. == and != compare exactly.
//
// Example:
//
//   auto results = track::evaluate_gates({"accuracy >= 0.90"}, {{"accuracy", 0.8712}});
//   results[0].passed == false;
//   results[0].message == "gate \"accuracy >= 0.90\" failed: accuracy = 0.8712"
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace tinymlops::track {

enum class GateOp { kGreaterEqual, kLessEqual, kGreater, kLess, kEqual, kNotEqual };
const char* gate_op_symbol(GateOp op);  // ">=", "<=", ...

struct Gate {
  std::string text;      // as written, trimmed
  std::string metric;
  GateOp op = GateOp::kGreaterEqual;
  double threshold = 0;
};

// Parses one gate. Throws Error(kParse) at `location` naming the gate text and what is
// wrong (for example `gates[1]: cannot parse gate "acc >> 1": expected METRIC OP NUMBER ...`).
Gate parse_gate(const std::string& text, const std::string& location);
// Parses every gate; the location of gate i is `source` + "[i]".
std::vector<Gate> parse_gates(const std::vector<std::string>& gates, const std::string& source = "gates");

struct GateResult {
  Gate gate;
  bool passed = false;
  std::optional<double> actual;  // the metric's value, when it is a number
  // "gate \"accuracy >= 0.90\" passed: accuracy = 0.97", "... failed: accuracy = 0.8712",
  // or "... failed: no metric \"flash_bytes\" (recorded: accuracy, loss)".
  std::string message;
};

// Evaluates every gate against flattened `metrics`, in order. A gate over a metric that
// is missing or not a number fails. Throws Error(kParse) for a gate that does not parse.
std::vector<GateResult> evaluate_gates(const std::vector<std::string>& gates, const nlohmann::ordered_json& metrics,
                                       const std::string& source = "gates");

}  // namespace tinymlops::track

// Gate grammar and evaluation.
#include <gtest/gtest.h>

#include "tinymlops/core/error.h"
#include "tinymlops/track/gates.h"

namespace tinymlops::track {
namespace {

std::string parse_error(const std::string& text) {
  try {
    parse_gate(text, "gates[2]");
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kParse);
    return e.what();
  }
  return "(no error)";
}

TEST(Gates, ParsesEveryOperatorAndNumberForm) {
  struct Case {
    const char* text;
    const char* metric;
    GateOp op;
    double threshold;
  };
  for (const Case& c : {Case{"accuracy >= 0.90", "accuracy", GateOp::kGreaterEqual, 0.9},
                        Case{"  flash_bytes<=65536 ", "flash_bytes", GateOp::kLessEqual, 65536},
                        Case{"eval.drop_vs_float < 1e-2", "eval.drop_vs_float", GateOp::kLess, 0.01},
                        Case{"loss > -1.5", "loss", GateOp::kGreater, -1.5},
                        Case{"classes == 4", "classes", GateOp::kEqual, 4},
                        Case{"acc@0.5 >= 0.90", "acc@0.5", GateOp::kGreaterEqual, 0.9},
                        Case{"val/f1-macro != +0", "val/f1-macro", GateOp::kNotEqual, 0}}) {
    Gate gate = parse_gate(c.text, "g");
    EXPECT_EQ(gate.metric, c.metric) << c.text;
    EXPECT_EQ(gate.op, c.op) << c.text;
    EXPECT_EQ(gate.threshold, c.threshold) << c.text;
  }
  EXPECT_EQ(parse_gate(" accuracy >= 0.90 ", "g").text, "accuracy >= 0.90");
  EXPECT_STREQ(gate_op_symbol(GateOp::kNotEqual), "!=");
}

TEST(Gates, ParseErrorsNameTheGateAndItsPlace) {
  const std::string expected = "expected METRIC OP NUMBER with OP one of >=, <=, >, <, ==, !=";
  EXPECT_EQ(parse_error("accuracy >> 0.9"), "gates[2]: cannot parse gate \"accuracy >> 0.9\": " + expected);
  EXPECT_EQ(parse_error("accuracy >>0.9"), "gates[2]: cannot parse gate \"accuracy >>0.9\": \">0.9\" is not a number (" + expected + ")");
  EXPECT_EQ(parse_error("accuracy 0.9"), "gates[2]: cannot parse gate \"accuracy 0.9\": " + expected);
  EXPECT_EQ(parse_error(">= 0.9"), "gates[2]: cannot parse gate \">= 0.9\": " + expected);
  EXPECT_EQ(parse_error(""), "gates[2]: cannot parse gate \"\": " + expected);
  EXPECT_EQ(parse_error("accuracy >= 0.9 and loss < 1"),
            "gates[2]: cannot parse gate \"accuracy >= 0.9 and loss < 1\": " + expected);
  EXPECT_EQ(parse_error("accuracy >= 0.9x"), "gates[2]: cannot parse gate \"accuracy >= 0.9x\": \"0.9x\" is not a number (" + expected + ")");
  EXPECT_EQ(parse_error("accuracy >= inf"), "gates[2]: cannot parse gate \"accuracy >= inf\": \"inf\" is not a number (" + expected + ")");
  try {
    parse_gates({"a >= 1", "b => 2"}, "tinymlops.yaml: gates");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.location(), "tinymlops.yaml: gates[1]");
  }
}

TEST(Gates, EvaluatesEachOperatorAtTheBoundary) {
  nlohmann::ordered_json metrics = {{"x", 1.0}, {"n", 3}};
  auto passed = [&](const std::string& gate) { return evaluate_gates({gate}, metrics)[0].passed; };
  EXPECT_TRUE(passed("x >= 1"));
  EXPECT_FALSE(passed("x > 1"));
  EXPECT_TRUE(passed("x <= 1"));
  EXPECT_FALSE(passed("x < 1"));
  EXPECT_TRUE(passed("x == 1"));
  EXPECT_FALSE(passed("x != 1"));
  EXPECT_TRUE(passed("n != 2"));
  EXPECT_FALSE(passed("n < 2.5"));
}

TEST(Gates, MessagesGiveTheActualValue) {
  nlohmann::ordered_json metrics = {{"accuracy", 0.8712}, {"flash_bytes", 70000}, {"name", "kws"}};
  auto results = evaluate_gates({"accuracy >= 0.90", "flash_bytes <= 65536", "name >= 1", "ram <= 1"}, metrics);
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].message, "gate \"accuracy >= 0.90\" failed: accuracy = 0.8712");
  EXPECT_EQ(results[0].actual, 0.8712);
  EXPECT_EQ(results[1].message, "gate \"flash_bytes <= 65536\" failed: flash_bytes = 70000");
  EXPECT_EQ(results[2].message, "gate \"name >= 1\" failed: name = \"kws\" is not a number");
  EXPECT_EQ(results[3].message, "gate \"ram <= 1\" failed: no metric \"ram\" (recorded: accuracy, flash_bytes, name)");
  EXPECT_FALSE(results[3].actual.has_value());
  EXPECT_EQ(evaluate_gates({"a >= 1"}, nlohmann::ordered_json::object())[0].message,
            "gate \"a >= 1\" failed: no metric \"a\" (recorded: none)");
  EXPECT_TRUE(evaluate_gates({}, metrics).empty());
}

}  // namespace
}  // namespace tinymlops::track

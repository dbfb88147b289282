// to_json(VerifyReport) (deploy/verify.h): every field under its own name, in
// the order `verify --json` prints them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tinymlops/deploy/verify.h"

namespace tinymlops {
namespace {

VerifyReport distinct_report() {
  VerifyReport r;
  r.target = "cortex-m4";
  r.variant = "int8";
  r.model_sha256 = "ab12";
  r.kernels = "arm-dsp";
  r.rows = 100;
  r.outputs = 10;
  r.integer_bits = 8;
  r.integer_mismatched_rows = 1;
  r.float_identical_rows = 97;
  r.float_mismatched_rows = 2;
  r.max_abs_difference = 0.25;
  r.tolerance = 1e-4;
  r.flash_bytes = 5000;
  r.ram_bytes = 600;
  r.arena_bytes = 512;
  r.weight_bytes = 4000;
  r.arena_lower_bound = 400;
  r.macs = 12345;
  r.code_bytes = 700;
  r.stack_bytes = 96;
  r.counter_unit = "instructions";
  r.counter_per_inference = 20000;
  r.passed = false;
  return r;
}

TEST(VerifyReportJson, KeysComeInTheOrderVerifyPrintsThem) {
  const nlohmann::ordered_json j = to_json(distinct_report());
  std::vector<std::string> keys;
  for (const auto& [key, value] : j.items()) keys.push_back(key);
  const std::vector<std::string> expected = {"target",
                                             "variant",
                                             "model_sha256",
                                             "kernels",
                                             "rows",
                                             "outputs",
                                             "integer_bits",
                                             "integer_mismatched_rows",
                                             "float_identical_rows",
                                             "float_mismatched_rows",
                                             "max_abs_difference",
                                             "tolerance",
                                             "flash_bytes",
                                             "weight_bytes",
                                             "code_bytes",
                                             "ram_bytes",
                                             "arena_bytes",
                                             "arena_lower_bound",
                                             "macs",
                                             "stack_bytes",
                                             "counter_unit",
                                             "counter_per_inference",
                                             "passed"};
  EXPECT_EQ(keys, expected);
}

TEST(VerifyReportJson, EachKeyHoldsItsField) {
  const VerifyReport r = distinct_report();
  const nlohmann::ordered_json j = to_json(r);
  EXPECT_EQ(j["target"], "cortex-m4");
  EXPECT_EQ(j["variant"], "int8");
  EXPECT_EQ(j["model_sha256"], "ab12");
  EXPECT_EQ(j["kernels"], "arm-dsp");
  EXPECT_EQ(j["rows"], 100);
  EXPECT_EQ(j["outputs"], 10);
  EXPECT_EQ(j["integer_bits"], 8);
  EXPECT_EQ(j["integer_mismatched_rows"], 1);
  EXPECT_EQ(j["float_identical_rows"], 97);
  EXPECT_EQ(j["float_mismatched_rows"], 2);
  EXPECT_DOUBLE_EQ(j["max_abs_difference"].get<double>(), 0.25);
  EXPECT_DOUBLE_EQ(j["tolerance"].get<double>(), 1e-4);
  EXPECT_EQ(j["flash_bytes"], 5000);
  EXPECT_EQ(j["weight_bytes"], 4000);
  EXPECT_EQ(j["code_bytes"], 700);
  EXPECT_EQ(j["ram_bytes"], 600);
  EXPECT_EQ(j["arena_bytes"], 512);
  EXPECT_EQ(j["arena_lower_bound"], 400);
  EXPECT_EQ(j["macs"], 12345);
  EXPECT_EQ(j["stack_bytes"], 96);
  EXPECT_EQ(j["counter_unit"], "instructions");
  EXPECT_EQ(j["counter_per_inference"], 20000);
  EXPECT_EQ(j["passed"], false);
}

TEST(VerifyReportJson, HostDefaultsKeepTheirMarkers) {
  // On host: no stack or counter measurement (-1, empty unit); code bytes unknown on AVR (-1).
  const nlohmann::ordered_json j = to_json(VerifyReport{});
  EXPECT_EQ(j["code_bytes"], -1);
  EXPECT_EQ(j["stack_bytes"], -1);
  EXPECT_EQ(j["counter_unit"], "");
  EXPECT_EQ(j["counter_per_inference"], -1);
  EXPECT_EQ(j.dump().find("null"), std::string::npos);
}

}  // namespace
}  // namespace tinymlops

// `tinymlops ocr fix` with the real binary.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_util.h"

namespace tinymlops {
namespace {

using testing::run_cli;

TEST(OcrFixCli, PrintsCorrectionsWithTheBuiltInRules) {
  const auto result = run_cli({"ocr", "fix", "A8C1234", "A8C1D23", "ABCXY23", "ABC12"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "A8C1234 -> ABC1234  old  1 substitution\n"
            "A8C1D23 -> ABC1D23  mercosul  1 substitution\n"
            "ABCXY23 -> ABCXY23  mercosul  0 substitutions  invalid (1 unfixed)\n"
            "ABC12 -> ABC12  no format has 5 characters  invalid\n");
}

TEST(OcrFixCli, JsonAndARulesFile) {
  testing::TempDir dir;
  const auto rules = dir.write("ar.json", R"({"formats": [{"name": "ar-old", "pattern": "LLLNNN"}],
                                             "to_digit": {"I": "1"}})");
  const auto result = run_cli({"ocr", "fix", "ABCI23", "--rules", rules.string(), "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json list = nlohmann::json::parse(result.out);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["raw"], "ABCI23");
  EXPECT_EQ(list[0]["corrected"], "ABC123");
  EXPECT_EQ(list[0]["format"], "ar-old");
  EXPECT_EQ(list[0]["substitutions"], 1);
  EXPECT_EQ(list[0]["unfixed"], 0);
  EXPECT_EQ(list[0]["valid"], true);
}

TEST(OcrFixCli, ExampleRulesFileGivesTheBuiltInResults) {
  const std::string example = (testing::source_dir() / "examples/plate-ocr/rules.json").string();
  const auto with_file = run_cli({"ocr", "fix", "0BC1234", "ABC1DZ3", "--rules", example, "--json"});
  const auto built_in = run_cli({"ocr", "fix", "0BC1234", "ABC1DZ3", "--json"});
  ASSERT_EQ(with_file.exit_code, 0) << with_file.err;
  EXPECT_EQ(with_file.out, built_in.out);
}

TEST(OcrFixCli, BadRulesFileIsOneLineNamingTheFileAndPlace) {
  testing::TempDir dir;
  const auto rules = dir.write("rules.json", R"({"formats": [{"name": "old", "pattern": "LLLNNNN"}],
                                                "to_digit": {"O": "o"}})");
  const auto result = run_cli({"ocr", "fix", "ABC1234", "--rules", rules.string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "tinymlops: " + rules.string() + ": to_digit[\"O\"]: expected one digit 0-9\n");
  const auto missing_text = run_cli({"ocr", "fix"});
  EXPECT_EQ(missing_text.exit_code, 2);
}

}  // namespace
}  // namespace tinymlops

// The JSON reports of `quantize --json`, `verify --json` and `fl simulate --json`
// keep their keys: scripts and dashboards read them. Each report's key paths
// ("report.before.accuracy", "rows[].match", ...) are compared with the golden
// list in tests/cli/golden/; a change to a report is a change to that list, made
// on purpose (TINYMLOPS_UPDATE_GOLDEN=1 rewrites the lists from the binary).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli_expect.h"
#include "test_util.h"
#include "tinymlops/core/file_io.h"

namespace tinymlops {
namespace {

using testing::digits_csv;
namespace fs = std::filesystem;
using testing::run_cli_ok;
using testing::TempDir;

// Every key path of `value`: "a", "a.b", "list[]", "list[].c" (array elements
// share one path).
void collect_paths(const nlohmann::json& value, const std::string& prefix, std::set<std::string>& paths) {
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) {
      const std::string path = prefix.empty() ? key : prefix + "." + key;
      paths.insert(path);
      collect_paths(child, path, paths);
    }
  } else if (value.is_array()) {
    for (const nlohmann::json& element : value) collect_paths(element, prefix + "[]", paths);
  }
}

// Key paths of the JSON documents in `text`, one per non-empty line (a JSON-lines
// stream) or the whole text as one document.
std::set<std::string> key_paths(const std::string& text, bool json_lines) {
  std::set<std::string> paths;
  if (!json_lines) {
    collect_paths(nlohmann::json::parse(text), "", paths);
    return paths;
  }
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty()) collect_paths(nlohmann::json::parse(line), "", paths);
  }
  return paths;
}

void expect_golden_keys(const std::string& name, const std::set<std::string>& actual) {
  const fs::path golden = testing::source_dir() / "tests/cli/golden" / (name + ".keys");
  if (std::getenv("TINYMLOPS_UPDATE_GOLDEN") != nullptr) {
    std::string text;
    for (const std::string& path : actual) text += path + "\n";
    write_file_atomic(golden, text);
  }
  std::ifstream in(golden);
  ASSERT_TRUE(in) << golden << " is missing (TINYMLOPS_UPDATE_GOLDEN=1 writes it)";
  std::set<std::string> expected;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) expected.insert(line);
  }
  for (const std::string& path : expected) EXPECT_TRUE(actual.count(path)) << name << ": key " << path << " is gone";
  for (const std::string& path : actual) EXPECT_TRUE(expected.count(path)) << name << ": new key " << path;
}

class JsonKeys : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    model_ = (dir_->path() / "digits.tmlm").string();
    int8_model_ = (dir_->path() / "digits-int8.tdm").string();
    run_cli_ok({"train", "--data", digits_csv(), "--label", "digit", "--hidden", "16", "--epochs", "2", "--out", model_,
                "-q"});
  }
  static void TearDownTestSuite() { delete dir_; }

  static TempDir* dir_;
  static std::string model_, int8_model_;
};
TempDir* JsonKeys::dir_ = nullptr;
std::string JsonKeys::model_, JsonKeys::int8_model_;

TEST_F(JsonKeys, QuantizeThenVerifyReportsKeepTheirKeys) {
  const auto quantize = run_cli_ok({"quantize", model_, "--data", digits_csv(), "--out", int8_model_, "--json", "-q"});
  expect_golden_keys("quantize", key_paths(quantize.out, false));
  const auto verify =
      run_cli_ok({"verify", int8_model_, "--data", digits_csv(), "--target", "host", "--rows", "10", "--json", "-q"});
  expect_golden_keys("verify", key_paths(verify.out, false));
}

TEST_F(JsonKeys, FlSimulateRoundsKeepTheirKeys) {
  const auto simulate = run_cli_ok({"fl", "simulate", "--data", digits_csv(), "--label", "digit", "--clients", "4",
                                    "--rounds", "2", "--fraction", "1", "--json"});
  expect_golden_keys("fl-simulate", key_paths(simulate.out, true));
}

}  // namespace
}  // namespace tinymlops

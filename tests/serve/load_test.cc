// A bounded load test from a second process: wrk posts JSON predictions for
// about 3 s over 4 connections. Every answer must be 2xx; throughput and p99
// latency are printed, not asserted (the machine is shared).
#include <gtest/gtest.h>

#include <regex>

#include "codegen/shell.h"
#include "serve/serve_fixtures.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/runtime/any_model.h"
#include "tinymlops/serve/server.h"

namespace tinymlops::serve {
namespace {

// wrk's "Latency Distribution" value for `percentile` ("99%"), in milliseconds.
double latency_ms(const std::string& output, const std::string& percentile) {
  std::smatch m;
  if (!std::regex_search(output, m, std::regex(" " + percentile + R"(\s+([0-9.]+)(us|ms|s)\b)"))) return -1;
  const double value = std::stod(m[1]);
  return m[2] == "us" ? value / 1000 : m[2] == "s" ? value * 1000 : value;
}

TEST(LoadTest, WrkPostingJsonGetsOnly2xx) {
  const testing::ShellResult which = testing::run_shell("command -v wrk", ".");
  ASSERT_EQ(which.exit_code, 0) << "wrk is not installed (scripts/setup installs it)";
  ServerOptions options;
  options.port = 0;
  options.reload_interval_seconds = 0;
  InferenceServer server(file_model_source(testing::digits_models().big), options);

  const Matrix rows = testing::validation_rows(load_any_model(testing::digits_models().big).metadata, 1);
  std::string row;
  for (Eigen::Index c = 0; c < rows.cols(); ++c) row += (c ? "," : "") + std::to_string(static_cast<int>(rows(0, c)));
  testing::TempDir dir;
  write_file_atomic(dir.path() / "post.lua", "wrk.method = \"POST\"\n"
                                             "wrk.headers[\"Content-Type\"] = \"application/json\"\n"
                                             "wrk.body = '{\"rows\": [[" + row + "]]}'\n");
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/v1/predict";
  const testing::ShellResult wrk =
      testing::run_shell("wrk -t1 -c4 -d3s --latency --timeout 5s -s post.lua " + url, dir.path());
  ASSERT_EQ(wrk.exit_code, 0) << wrk.output;

  std::smatch m;
  ASSERT_TRUE(std::regex_search(wrk.output, m, std::regex(R"(([0-9]+) requests in)"))) << wrk.output;
  const long requests = std::stol(m[1]);
  EXPECT_GT(requests, 0);
  EXPECT_EQ(wrk.output.find("Non-2xx"), std::string::npos) << wrk.output;
  EXPECT_EQ(wrk.output.find("Socket errors"), std::string::npos) << wrk.output;
  ASSERT_TRUE(std::regex_search(wrk.output, m, std::regex(R"(Requests/sec:\s+([0-9.]+))"))) << wrk.output;
  const double throughput = std::stod(m[1]);
  const double p50 = latency_ms(wrk.output, "50%"), p99 = latency_ms(wrk.output, "99%");
  EXPECT_GT(p99, 0) << wrk.output;
  std::printf("[ load     ] %ld requests, %.0f requests/s, p50 %.3f ms, p99 %.3f ms (wrk -t1 -c4 -d3s, one row)\n",
              requests, throughput, p50, p99);
  // The server saw at least what wrk counted, and answered no error.
  EXPECT_GE(server.metrics().requests("/v1/predict", 200), requests);
  EXPECT_EQ(server.metrics().errors(), 0);
}

}  // namespace
}  // namespace tinymlops::serve

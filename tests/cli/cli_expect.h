// Helpers shared by the CLI tests (tests/cli).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "test_util.h"

namespace tinymlops::testing {

inline int count_lines(const std::string& text) { return static_cast<int>(std::count(text.begin(), text.end(), '\n')); }

// The command exited with `exit_code` and wrote one line to stderr, starting
// "tinymlops: " and containing `fragment`.
inline void expect_one_line_error(const CommandResult& r, int exit_code, const std::string& fragment) {
  EXPECT_EQ(r.exit_code, exit_code) << r.err;
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_EQ(r.err.rfind("tinymlops: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(fragment), std::string::npos) << "expected '" << fragment << "' in: " << r.err;
}

// The bundled digits data set.
inline std::string digits_csv() { return (source_dir() / "examples/data/digits.csv").string(); }

}  // namespace tinymlops::testing

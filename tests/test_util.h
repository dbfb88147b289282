// Helpers shared by the test binaries.
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tinymlops/core/error.h"

namespace tinymlops::testing {

// A fresh, empty directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `content` to path()/name and returns the full path.
  std::filesystem::path write(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

// The source tree root (for examples/data and friends).
std::filesystem::path source_dir();

// Makes `dir` the working directory for the object's lifetime.
class ScopedCwd {
 public:
  explicit ScopedCwd(const std::filesystem::path& dir) : previous_(std::filesystem::current_path()) {
    std::filesystem::current_path(dir);
  }
  ~ScopedCwd() { std::filesystem::current_path(previous_); }
  ScopedCwd(const ScopedCwd&) = delete;
  ScopedCwd& operator=(const ScopedCwd&) = delete;

 private:
  std::filesystem::path previous_;
};

// Puts the directory of the built `tinymlops` first on PATH for the object's
// lifetime (pipeline stages call `tinymlops` by name).
class ScopedPath {
 public:
  ScopedPath();
  ~ScopedPath();
  ScopedPath(const ScopedPath&) = delete;
  ScopedPath& operator=(const ScopedPath&) = delete;

 private:
  std::string previous_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// The message of the tinymlops::Error `action` throws, or "(no error)".
inline std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// The keys of a JSON object in their order (a report's to_json keeps the
// order its command has always printed).
inline std::vector<std::string> json_keys(const nlohmann::ordered_json& object) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.push_back(key);
  return keys;
}

// Runs the program at the path `program` with `args` (no shell, stdin from
// /dev/null), waits, captures its output. Exit code 127: it could not be started.
CommandResult run_program(const std::string& program, const std::vector<std::string>& args);
// run_program for the built `tinymlops` binary.
CommandResult run_cli(const std::vector<std::string>& args);
// run_cli, failing the current test (with the command's output) unless it exits 0.
CommandResult run_cli_ok(const std::vector<std::string>& args);

}  // namespace tinymlops::testing

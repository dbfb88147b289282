// Running external programs (compilers, emulators) with a time limit
// (internal to src/deploy).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace tinymlops {

struct ProcessResult {
  int exit_code = -1;     // the program's exit status; -1 if it was killed
  bool timed_out = false;
  std::string output;     // stdout and stderr, interleaved as written
};

// Runs argv[0] (searched on PATH) with `argv` in `directory`, waiting at most
// `timeout_seconds`, after which the program is killed. Throws Error(kIo) when
// the program cannot be started.
ProcessResult run_process(const std::vector<std::string>& argv, const std::filesystem::path& directory,
                          double timeout_seconds);

// True when `program` is found on PATH.
bool program_exists(const std::string& program);

}  // namespace tinymlops

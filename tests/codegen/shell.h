// Running a compiler from a test: a shell command in a folder, with its output.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "tinymlops/codegen/c_emitter.h"
#include "tinymlops/core/file_io.h"

namespace tinymlops::testing {

struct ShellResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs `command` with /bin/sh in `directory`. Paths in `command` must not
// need quoting beyond what the caller adds.
inline ShellResult run_shell(const std::string& command, const std::filesystem::path& directory) {
  const std::string full = "cd '" + directory.string() + "' && (" + command + ") 2>&1";
  ShellResult result;
  FILE* pipe = ::popen(full.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Writes `files` under `directory`.
inline void write_files(const std::filesystem::path& directory, const std::vector<GeneratedFile>& files) {
  for (const GeneratedFile& file : files) {
    std::filesystem::create_directories((directory / file.path).parent_path());
    write_file_atomic(directory / file.path, file.content);
  }
}

// The .c files among `files`, separated by spaces.
inline std::string c_sources(const std::vector<GeneratedFile>& files) {
  std::string list;
  for (const GeneratedFile& file : files) {
    if (file.path.ends_with(".c")) list += " " + file.path;
  }
  return list;
}

}  // namespace tinymlops::testing

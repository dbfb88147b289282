// Running a stage's command (internal to src/pipeline).
#pragma once

#include <filesystem>
#include <functional>
#include <string>

namespace tinymlops::pipeline {

// Runs `/bin/sh -c command` in `directory` with stdin from /dev/null, calling
// `on_line` with each line the command writes to stdout or stderr (without the
// newline), as it arrives. Returns the exit status, or 128 + signal number when
// the command was killed by a signal. Error(kIo) when it cannot be started.
// Safe to call from several threads at once.
int run_shell(const std::string& command, const std::filesystem::path& directory,
              const std::function<void(const std::string&)>& on_line);

}  // namespace tinymlops::pipeline

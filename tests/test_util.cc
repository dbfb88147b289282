#include "test_util.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include <gtest/gtest.h>

#include "tinymlops/core/file_io.h"

#include <gtest/gtest.h>

namespace tinymlops::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "tinymlops-test-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::write(const std::string& name, const std::string& content) const {
  std::filesystem::path file = path_ / name;
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << content;
  return file;
}

std::filesystem::path source_dir() { return TINYMLOPS_SOURCE_DIR; }

ScopedPath::ScopedPath() : previous_(std::getenv("PATH") ? std::getenv("PATH") : "") {
  const std::string bin = std::filesystem::path(TINYMLOPS_CLI).parent_path().string();
  ::setenv("PATH", (bin + ":" + previous_).c_str(), 1);
}

ScopedPath::~ScopedPath() { ::setenv("PATH", previous_.c_str(), 1); }

CommandResult run_cli(const std::vector<std::string>& args) { return run_program(TINYMLOPS_CLI, args); }

CommandResult run_program(const std::string& program, const std::vector<std::string>& args) {
  TempDir capture;
  std::string out_path = (capture.path() / "out").string();
  std::string err_path = (capture.path() / "err").string();
  pid_t pid = ::fork();
  if (pid == 0) {
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int in = ::open("/dev/null", O_RDONLY);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    std::vector<char*> argv;
    std::string binary = program;
    argv.push_back(binary.data());
    std::vector<std::string> copies = args;
    for (std::string& arg : copies) argv.push_back(arg.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  return result;
}

CommandResult run_cli_ok(const std::vector<std::string>& args) {
  CommandResult r = run_cli(args);
  EXPECT_EQ(r.exit_code, 0) << "tinymlops " << (args.empty() ? "" : args[0]) << ": " << r.err << r.out;
  return r;
}

}  // namespace tinymlops::testing

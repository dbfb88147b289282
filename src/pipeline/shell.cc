#include "pipeline/shell.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tinymlops/core/error.h"

namespace tinymlops::pipeline {

int run_shell(const std::string& command, const std::filesystem::path& directory,
              const std::function<void(const std::string&)>& on_line) {
  // O_CLOEXEC: a command started by another thread must not inherit this pipe,
  // or this reader would wait for that command too.
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw Error(ErrorKind::kIo, command, "cannot create a pipe");
  const std::string dir = directory.string();
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw Error(ErrorKind::kIo, command, "cannot fork");
  }
  if (pid == 0) {  // only async-signal-safe calls until exec
    const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (in >= 0) ::dup2(in, STDIN_FILENO);
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    if (::chdir(dir.c_str()) != 0) {
      const char message[] = "tinymlops: cannot enter the stage's working directory\n";
      [[maybe_unused]] ssize_t ignored = ::write(STDERR_FILENO, message, sizeof message - 1);
      ::_exit(126);
    }
    ::execv("/bin/sh", const_cast<char* const*>(argv));
    ::_exit(127);
  }
  ::close(fds[1]);
  std::string pending;
  char buffer[4096];
  while (true) {
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buffer, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t newline; (newline = pending.find('\n', start)) != std::string::npos; start = newline + 1) {
      on_line(pending.substr(start, newline - start));
    }
    pending.erase(0, start);
  }
  if (!pending.empty()) on_line(pending);
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace tinymlops::pipeline

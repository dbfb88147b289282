#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "tinymlops/core/error.h"
#include "tinymlops/store/repository.h"

namespace tinymlops::store {

namespace {

// The pid the holder wrote into the lock file, or "" when unreadable.
std::string holder_pid(int fd) {
  char text[32] = {};
  ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
  std::string pid = n > 0 ? std::string(text, static_cast<size_t>(n)) : "";
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.empty() ? "unknown" : pid;
}

}  // namespace

ProjectLock::ProjectLock(const Repository& repo, double wait_seconds) {
  const std::filesystem::path path = repo.state_dir() / "lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error(ErrorKind::kIo, path.string(), std::string("cannot open the project lock: ") + std::strerror(errno));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(wait_seconds);
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      int saved = errno;
      ::close(fd_);
      throw Error(ErrorKind::kIo, path.string(), std::string("cannot lock: ") + std::strerror(saved));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      std::string pid = holder_pid(fd_);
      ::close(fd_);
      char waited[32];
      std::snprintf(waited, sizeof waited, "%g", wait_seconds);
      throw Error(ErrorKind::kIo, path.string(),
                  "another tinymlops command (pid " + pid + ") is using this project; waited " + waited +
                      " s, try again when it has finished");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) == 0) {
    [[maybe_unused]] ssize_t n = ::pwrite(fd_, pid.data(), pid.size(), 0);
  }
}

ProjectLock::~ProjectLock() {
  if (fd_ < 0) return;
  [[maybe_unused]] int rc = ::ftruncate(fd_, 0);
  ::close(fd_);  // releases the flock
}

}  // namespace tinymlops::store

#include "tinymlops/core/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "tinymlops/core/error.h"

namespace tinymlops {

namespace {

[[noreturn]] void throw_io(const std::filesystem::path& path, const std::string& what) {
  throw Error(ErrorKind::kIo, path.string(), what + ": " + std::strerror(errno));
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

std::string read_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw Error(ErrorKind::kIo, path.string(), "is a directory, expected a file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_io(path, "cannot open");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw_io(path, "cannot read");
  return std::move(buffer).str();
}

void write_file_atomic(const std::filesystem::path& path, std::string_view bytes) {
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  // Invariant 1: a temporary sibling, unique per call.
  std::string tmp = (dir / ("." + path.filename().string() + ".tmp.XXXXXX")).string();
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) throw_io(path, "cannot create a temporary file beside it");
  ::fchmod(fd, 0644);
  bool ok = write_all(fd, bytes) && ::fsync(fd) == 0;  // invariant 2
  int saved_errno = errno;
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    if (ok) saved_errno = errno;
    ::unlink(tmp.c_str());  // invariant 4
    errno = saved_errno;
    throw_io(path, "cannot write");
  }
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);  // invariant 3
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

}  // namespace tinymlops

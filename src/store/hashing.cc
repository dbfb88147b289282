#include "tinymlops/store/hashing.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "tinymlops/core/error.h"

namespace tinymlops::store {

namespace {

constexpr size_t kBufferBytes = size_t{1} << 20;

[[noreturn]] void throw_io(const std::string& where, const std::string& what) {
  throw Error(ErrorKind::kIo, where, what + ": " + std::strerror(errno));
}

// One buffer per thread, reused across files (10,000 small files must not mean
// 10,000 allocations of 1 MiB).
std::vector<char>& read_buffer() {
  thread_local std::vector<char> buffer(kBufferBytes);
  return buffer;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

int open_for_reading(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_io(path.string(), "cannot open");
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return fd;
}

uint64_t file_size(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

// Reads `fd` to its end, handing each chunk to `sink`.
template <typename Sink>
uint64_t read_all(int fd, const std::string& name, const ByteProgress& progress, Sink&& sink) {
  std::vector<char>& buffer = read_buffer();
  const uint64_t total = progress ? file_size(fd) : 0;
  uint64_t done = 0;
  while (true) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_io(name, "cannot read");
    }
    if (n == 0) break;
    sink(buffer.data(), static_cast<size_t>(n));
    done += static_cast<uint64_t>(n);
    if (progress) progress(done, total);
  }
  return done;
}

}  // namespace

bool is_sha256_hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string hash_file(const std::filesystem::path& path, const ByteProgress& progress) {
  Fd fd(open_for_reading(path));
  Sha256Stream sha;
  read_all(fd.get(), path.string(), progress, [&](const char* data, size_t size) { sha.update(data, size); });
  return sha.finish_hex();
}

HashedCopy copy_hashing(const std::filesystem::path& source, int destination_fd, const std::string& destination_name,
                        const ByteProgress& progress) {
  Fd fd(open_for_reading(source));
  Sha256Stream sha;
  HashedCopy copy;
  copy.bytes = read_all(fd.get(), source.string(), progress, [&](const char* data, size_t size) {
    sha.update(data, size);
    while (size > 0) {
      ssize_t n = ::write(destination_fd, data, size);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw_io(destination_name, "cannot write");
      }
      data += n;
      size -= static_cast<size_t>(n);
    }
  });
  copy.hash = sha.finish_hex();
  return copy;
}

}  // namespace tinymlops::store

#include "tinymlops/store/staged_writes.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "tinymlops/core/error.h"

namespace tinymlops::store {

namespace {

[[noreturn]] void throw_io(const std::filesystem::path& where, const std::string& what) {
  throw Error(ErrorKind::kIo, where.string(), what + ": " + std::strerror(errno));
}

void fsync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw_io(dir, "cannot open directory to sync it");
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw_io(dir, "cannot sync directory");
}

// Creates `dir` and missing parents; adds each created directory's parent to `to_sync`.
void create_directories_synced(const std::filesystem::path& dir, std::set<std::filesystem::path>& to_sync) {
  if (dir.empty() || std::filesystem::is_directory(dir)) return;
  create_directories_synced(dir.parent_path(), to_sync);
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) throw_io(dir, "cannot create directory");
  to_sync.insert(dir.parent_path().empty() ? std::filesystem::path(".") : dir.parent_path());
}

}  // namespace

StagedWrites::~StagedWrites() { remove_all_temporaries(); }

StagedWrites::File& StagedWrites::begin(const std::filesystem::path& temp_directory,
                                        const std::filesystem::path& destination, mode_t mode) {
  std::string name = destination.empty() ? std::string("object") : destination.filename().string();
  std::string pattern = (temp_directory / ("." + name + ".tmp.XXXXXX")).string();
  int fd = ::mkstemp(pattern.data());  // invariant 1
  if (fd < 0) throw_io(destination.empty() ? temp_directory : destination, "cannot create a temporary file");
  ::fchmod(fd, mode);
  File& file = files_.emplace_back();
  file.temp = pattern;
  file.destination = destination;
  file.fd = fd;
  return file;
}

void StagedWrites::end(File& file, const std::filesystem::path& destination) {
  if (!destination.empty()) file.destination = destination;
  int fd = file.fd;
  file.fd = -1;
  if (fd >= 0 && ::close(fd) != 0) throw_io(file.destination, "cannot write");
}

void StagedWrites::drop(File& file) {
  if (file.fd >= 0) ::close(file.fd);
  file.fd = -1;
  ::unlink(file.temp.c_str());
  file.dropped = true;
}

void StagedWrites::commit() {
  // Invariant 2: one syncfs per filesystem holding a temporary.
  std::set<dev_t> synced_devices;
  for (File& file : files_) {
    if (file.dropped) continue;
    if (file.fd >= 0) end(file);
    struct stat st {};
    if (::stat(file.temp.c_str(), &st) != 0) throw_io(file.temp, "staged file vanished");
    if (synced_devices.insert(st.st_dev).second) {
      int fd = ::open(file.temp.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || ::syncfs(fd) != 0) {
        int saved = errno;
        if (fd >= 0) ::close(fd);
        errno = saved;
        throw_io(file.temp, "cannot sync the filesystem");
      }
      ::close(fd);
    }
  }
  // Invariant 3: rename, then sync each directory that received a name.
  std::set<std::filesystem::path> to_sync;
  for (File& file : files_) {
    if (file.dropped) continue;
    std::filesystem::path parent = file.destination.parent_path();
    if (parent.empty()) parent = ".";
    create_directories_synced(parent, to_sync);
    if (::rename(file.temp.c_str(), file.destination.c_str()) != 0) throw_io(file.destination, "cannot rename into place");
    file.dropped = true;  // renamed: nothing left to clean up
    to_sync.insert(parent);
  }
  for (const std::filesystem::path& dir : to_sync) fsync_directory(dir);
  files_.clear();
}

void StagedWrites::remove_all_temporaries() noexcept {
  for (File& file : files_) {
    if (file.dropped) continue;
    if (file.fd >= 0) ::close(file.fd);
    ::unlink(file.temp.c_str());
  }
  files_.clear();
}

}  // namespace tinymlops::store

#include "tinymlops/store/remote.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "tinymlops/core/error.h"

namespace tinymlops::store {

namespace fs = std::filesystem;

DirectoryRemote::DirectoryRemote(fs::path dir) : dir_(std::move(dir)) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec || !fs::is_directory(dir_)) {
    throw Error(ErrorKind::kIo, dir_.string(), "cannot use as a remote directory: " + (ec ? ec.message() : "not a directory"));
  }
}

std::string DirectoryRemote::location() const { return dir_.string(); }

std::set<std::string> DirectoryRemote::list() {
  std::set<std::string> keys;
  std::error_code ec;
  for (const auto& shard : fs::directory_iterator(dir_, ec)) {
    const std::string prefix = shard.path().filename().string();
    if (prefix.size() != 2 || !shard.is_directory()) continue;
    for (const auto& entry : fs::directory_iterator(shard.path(), ec)) {
      const std::string name = entry.path().filename().string();
      if (!name.empty() && name[0] != '.') keys.insert(prefix + "/" + name);
    }
  }
  if (ec) throw Error(ErrorKind::kIo, dir_.string(), "cannot list the remote: " + ec.message());
  return keys;
}

void DirectoryRemote::put(const ObjectId& id, const fs::path& local_file) {
  const fs::path destination = dir_ / object_key(id);
  std::error_code ec;
  fs::create_directories(destination.parent_path(), ec);
  if (ec) throw Error(ErrorKind::kIo, destination.parent_path().string(), "cannot create: " + ec.message());
  StagedWrites::File& file = staged_.begin(destination.parent_path(), destination, 0444);
  HashedCopy copy;
  try {
    copy = copy_hashing(local_file, file.fd, destination.string());
  } catch (...) {
    staged_.drop(file);
    throw;
  }
  if (copy.hash != id.hash) {
    staged_.drop(file);
    throw_corrupted(id, local_file, copy.hash);
  }
  staged_.end(file);
}

void DirectoryRemote::flush() { staged_.commit(); }

void DirectoryRemote::get(const ObjectId& id, const std::function<void(const char*, size_t)>& sink) {
  const fs::path path = dir_ / object_key(id);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      throw Error(ErrorKind::kIo, path.string(),
                  std::string(object_kind_name(id.kind)) + " object " + id.hash + " is not on the remote " + location());
    }
    throw Error(ErrorKind::kIo, path.string(), std::string("cannot open: ") + std::strerror(errno));
  }
  std::vector<char> buffer(size_t{1} << 20);
  while (true) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      ::close(fd);
      throw Error(ErrorKind::kIo, path.string(), std::string("cannot read: ") + std::strerror(saved));
    }
    if (n == 0) break;
    sink(buffer.data(), static_cast<size_t>(n));
  }
  ::close(fd);
}

std::unique_ptr<Remote> open_remote(const std::string& location, const fs::path& base) {
  if (location.find("://") != std::string::npos) {
    throw Error(ErrorKind::kUnsupported, location, "only directory remotes are supported so far (S3 will follow)");
  }
  fs::path dir(location);
  if (dir.is_relative()) dir = base / dir;
  return std::make_unique<DirectoryRemote>(dir.lexically_normal());
}

}  // namespace tinymlops::store

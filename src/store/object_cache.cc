#include "tinymlops/store/object_cache.h"

#include <dirent.h>
#include <unistd.h>

#include <map>
#include <unordered_set>

#include "tinymlops/core/error.h"

namespace tinymlops::store {

namespace {

constexpr const char* kDirectorySuffix = ".dir";

void check_hash(const std::string& hash) {
  if (!is_sha256_hex(hash)) throw Error(ErrorKind::kInvalid, hash, "not a SHA-256 object name (64 lower-case hex digits)");
}

void write_all(int fd, const char* data, size_t size, const std::filesystem::path& name) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(ErrorKind::kIo, name.string(), "cannot write");
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}

}  // namespace

const char* object_kind_name(ObjectKind kind) { return kind == ObjectKind::kFile ? "file" : "directory"; }

std::string object_key(const ObjectId& id) {
  check_hash(id.hash);
  return id.hash.substr(0, 2) + "/" + id.hash.substr(2) + (id.kind == ObjectKind::kDirectory ? kDirectorySuffix : "");
}

void throw_corrupted(const ObjectId& id, const std::filesystem::path& path, const std::string& actual) {
  throw Error(ErrorKind::kFormat, path.string(),
              std::string("corrupted ") + object_kind_name(id.kind) + " object " + id.hash + " (its content hashes to " +
                  actual.substr(0, 12) + "...); not used. Restore it with `tinymlops pull` or re-add the original");
}

void throw_missing(const ObjectId& id, const std::filesystem::path& path) {
  throw Error(ErrorKind::kIo, path.string(),
              std::string(object_kind_name(id.kind)) + " object " + id.hash + " is not in the cache (try `tinymlops pull`)");
}

ObjectCache::ObjectCache(std::filesystem::path dir) : dir_(std::move(dir)) {
  std::error_code ec;
  std::filesystem::create_directories(tmp_dir(), ec);
  if (ec) throw Error(ErrorKind::kIo, tmp_dir().string(), "cannot create the cache directory: " + ec.message());
}

std::filesystem::path ObjectCache::object_path(const ObjectId& id) const { return dir_ / object_key(id); }

bool ObjectCache::contains(const ObjectId& id) const { return ::access(object_path(id).c_str(), F_OK) == 0; }

bool ObjectCache::contains_all(const std::vector<ObjectId>& ids) const {
  if (ids.size() < 256) {
    for (const ObjectId& id : ids) {
      if (!contains(id)) return false;
    }
    return true;
  }
  std::map<std::string, std::unordered_set<std::string>> shards;  // "ab" -> names in it
  for (const ObjectId& id : ids) {
    auto [it, inserted] = shards.try_emplace(id.hash.substr(0, 2));
    if (!inserted) continue;
    DIR* handle = ::opendir((dir_ / it->first).c_str());
    if (!handle) return false;
    while (const dirent* entry = ::readdir(handle)) it->second.insert(entry->d_name);
    ::closedir(handle);
  }
  for (const ObjectId& id : ids) {
    std::string key = object_key(id);
    if (!shards[id.hash.substr(0, 2)].count(key.substr(3))) return false;
  }
  return true;
}

HashedCopy ObjectCache::stage_file(const std::filesystem::path& source, StagedWrites& staged,
                                   const ByteProgress& progress) {
  StagedWrites::File& file = staged.begin(tmp_dir(), {}, 0444);
  HashedCopy copy;
  try {
    copy = copy_hashing(source, file.fd, file.temp.string(), progress);
  } catch (...) {
    staged.drop(file);
    throw;
  }
  staged.end(file, object_path({copy.hash, ObjectKind::kFile}));
  return copy;
}

std::string ObjectCache::stage_bytes(const std::string& bytes, ObjectKind kind, StagedWrites& staged) {
  ObjectId id{to_hex(sha256(bytes)), kind};
  StagedWrites::File& file = staged.begin(tmp_dir(), object_path(id), 0444);
  try {
    write_all(file.fd, bytes.data(), bytes.size(), file.temp);
  } catch (...) {
    staged.drop(file);
    throw;
  }
  staged.end(file);
  return id.hash;
}

std::string ObjectCache::read(const ObjectId& id) const {
  const std::filesystem::path path = object_path(id);
  if (!contains(id)) throw_missing(id, path);
  std::string bytes;
  std::error_code ec;
  uint64_t size = std::filesystem::file_size(path, ec);
  bytes.reserve(ec ? 0 : size);
  FILE* in = std::fopen(path.c_str(), "rb");
  if (!in) throw Error(ErrorKind::kIo, path.string(), "cannot open object");
  char buffer[65536];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, in)) > 0) bytes.append(buffer, n);
  bool failed = std::ferror(in) != 0;
  std::fclose(in);
  if (failed) throw Error(ErrorKind::kIo, path.string(), "cannot read object");
  std::string actual = to_hex(sha256(bytes));
  if (actual != id.hash) throw_corrupted(id, path, actual);  // invariant 2
  return bytes;
}

void ObjectCache::stage_copy_out(const ObjectId& id, const std::filesystem::path& destination, uint32_t mode,
                                 StagedWrites& staged, const ByteProgress& progress) const {
  const std::filesystem::path path = object_path(id);
  if (!contains(id)) throw_missing(id, path);
  std::filesystem::path parent = destination.parent_path();
  if (parent.empty()) parent = ".";
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) throw Error(ErrorKind::kIo, parent.string(), "cannot create directory: " + ec.message());
  StagedWrites::File& file = staged.begin(parent, destination, static_cast<mode_t>(mode & 07777));
  HashedCopy copy;
  try {
    copy = copy_hashing(path, file.fd, destination.string(), progress);
  } catch (...) {
    staged.drop(file);
    throw;
  }
  if (copy.hash != id.hash) {
    staged.drop(file);  // invariant 2: the corrupted bytes never reach the destination
    throw_corrupted(id, path, copy.hash);
  }
  staged.end(file);
}

void ObjectCache::verify(const ObjectId& id) const {
  const std::filesystem::path path = object_path(id);
  if (!contains(id)) throw_missing(id, path);
  std::string actual = hash_file(path);
  if (actual != id.hash) throw_corrupted(id, path, actual);
}

std::vector<ObjectCache::Listed> ObjectCache::list() const {
  std::vector<Listed> objects;
  std::error_code ec;
  for (const auto& shard : std::filesystem::directory_iterator(dir_, ec)) {
    const std::string prefix = shard.path().filename().string();
    if (prefix.size() != 2 || !shard.is_directory()) continue;
    for (const auto& entry : std::filesystem::directory_iterator(shard.path(), ec)) {
      std::string name = entry.path().filename().string();
      ObjectKind kind = ObjectKind::kFile;
      if (name.size() == 62 + 4 && name.ends_with(kDirectorySuffix)) {
        name.resize(62);
        kind = ObjectKind::kDirectory;
      }
      std::string hash = prefix + name;
      if (!is_sha256_hex(hash) || !entry.is_regular_file()) continue;
      objects.push_back({{hash, kind}, entry.file_size()});
    }
  }
  std::sort(objects.begin(), objects.end(), [](const Listed& a, const Listed& b) { return a.id < b.id; });
  return objects;
}

void ObjectCache::remove(const ObjectId& id) {
  std::error_code ec;
  std::filesystem::remove(object_path(id), ec);
  if (ec) throw Error(ErrorKind::kIo, object_path(id).string(), "cannot remove object: " + ec.message());
}

}  // namespace tinymlops::store

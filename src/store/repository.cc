#include "tinymlops/store/repository.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>

#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"

namespace tinymlops::store {

namespace {

namespace fs = std::filesystem;

// A file modified less than this long before it was hashed may change again
// within the same mtime tick; its hash is not cached ("racy" as git calls it).
constexpr int64_t kRacyWindowNs = 1'000'000'000;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Stat {
  FileStamp stamp;
  uint32_t mode = 0;
  bool regular = false;
  bool directory = false;
  bool exists = false;
};

Stat from_stat(const struct stat& st) {
  Stat result;
  result.exists = true;
  result.regular = S_ISREG(st.st_mode);
  result.directory = S_ISDIR(st.st_mode);
  result.mode = st.st_mode & 07777;
  result.stamp.inode = st.st_ino;
  result.stamp.size = static_cast<uint64_t>(st.st_size);
  result.stamp.mtime_ns = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
  return result;
}

Stat lstat_path(const char* path) {
  struct stat st {};
  if (::lstat(path, &st) != 0) return Stat{};
  return from_stat(st);
}
Stat lstat_path(const fs::path& path) { return lstat_path(path.c_str()); }

[[noreturn]] void refuse_special(const fs::path& path) {
  throw Error(ErrorKind::kUnsupported, path.string(),
              "only regular files and directories can be tracked (symbolic links and special files cannot)");
}

// A regular file found under a tracked directory. Plain strings: 10,000 files
// must not mean 10,000 std::filesystem::path component splits.
struct ScannedFile {
  std::string relative;  // "/"-separated
  std::string path;      // dir + "/" + relative
  Stat stat;
};

Stat stat_at(int dir_fd, const char* name) {
  struct stat st {};
  Stat result;
  if (::fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return result;
  return from_stat(st);
}

// Lists `dir` with fstatat() relative to its descriptor: a short path walk per file.
void scan(const std::string& dir, const std::string& prefix, std::vector<ScannedFile>& out) {
  DIR* handle = ::opendir(dir.c_str());
  if (!handle) throw Error(ErrorKind::kIo, dir, std::string("cannot list directory: ") + std::strerror(errno));
  std::vector<std::pair<std::string, Stat>> children;
  while (const dirent* entry = ::readdir(handle)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    Stat st = stat_at(::dirfd(handle), entry->d_name);
    children.emplace_back(std::move(name), st);
  }
  ::closedir(handle);
  for (auto& [name, st] : children) {
    std::string path = dir + "/" + name;
    std::string relative = prefix.empty() ? name : prefix + "/" + name;
    if (st.regular) {
      out.push_back({std::move(relative), std::move(path), st});
    } else if (st.directory) {
      scan(path, relative, out);
    } else if (st.exists) {
      refuse_special(path);
    }
  }
}

std::vector<ScannedFile> scan_directory(const fs::path& dir) {
  std::vector<ScannedFile> files;
  scan(dir.string(), "", files);
  // Sorted by the whole relative path, the way the manifest sorts.
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.relative < b.relative; });
  return files;
}

// `path` without "." components or a trailing separator ("data/" -> "data").
fs::path clean(const fs::path& path) {
  fs::path normal = path.lexically_normal();
  if (!normal.has_filename() && normal.has_parent_path() && normal != normal.root_path()) normal = normal.parent_path();
  return normal;
}

}  // namespace

struct Repository::Impl {
  fs::path root;
  ObjectCache cache;
  StateDb state;
  // Hash cache writes of the current operation, flushed in one transaction.
  std::vector<std::pair<std::string, std::pair<FileStamp, std::string>>> pending;

  Impl(fs::path root_dir)
      : root(std::move(root_dir)), cache(root / ".tinymlops" / "cache"), state(root / ".tinymlops" / "state.db") {}

  std::string key_for(const fs::path& path) const {
    fs::path absolute = fs::absolute(path).lexically_normal();
    fs::path relative = absolute.lexically_relative(root);
    if (!relative.empty() && *relative.begin() != "..") return relative.generic_string();
    return absolute.generic_string();
  }

  // Remembers `hash` for a file stamped `stamp` unless the file is racy.
  void remember(const std::string& key, const FileStamp& stamp, const std::string& hash, int64_t started_ns) {
    if (stamp.mtime_ns >= started_ns - kRacyWindowNs) return;
    pending.push_back({key, {stamp, hash}});
  }

  void flush() {
    if (pending.empty()) return;
    StateDb::Transaction transaction(state);
    for (const auto& [key, value] : pending) state.remember_hash(key, value.first, value.second);
    transaction.commit();
    pending.clear();
  }

  std::string hash_regular(const fs::path& path, const Stat& st) { return hash_regular(path, key_for(path), st); }

  std::string hash_regular(const fs::path& path, const std::string& key, const Stat& st) {
    if (auto cached = state.cached_hash(key, st.stamp)) return *cached;
    int64_t started = now_ns();
    std::string hash = hash_file(path);
    Stat after = lstat_path(path);
    if (after.stamp.mtime_ns == st.stamp.mtime_ns && after.stamp.size == st.stamp.size) {
      remember(key, st.stamp, hash, started);
    }
    return hash;
  }

  // Copies a file into the staged cache unless its cached hash names an object
  // already there. Adds the bytes copied to *copied.
  std::string save_regular(const fs::path& path, const std::string& key, const Stat& st, StagedWrites& staged,
                           uint64_t* copied, const ByteProgress& progress) {
    if (auto cached = state.cached_hash(key, st.stamp)) {
      if (cache.contains({*cached, ObjectKind::kFile})) return *cached;
    }
    int64_t started = now_ns();
    HashedCopy copy = cache.stage_file(path, staged, progress);
    Stat after = lstat_path(path);
    if (after.stamp.mtime_ns != st.stamp.mtime_ns || after.stamp.size != st.stamp.size ||
        copy.bytes != st.stamp.size) {
      throw Error(ErrorKind::kIo, path.string(), "changed while being added; nothing was recorded, try again");
    }
    remember(key, st.stamp, copy.hash, started);
    *copied += copy.bytes;
    return copy.hash;
  }
};

Repository::Repository(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Repository::Repository(Repository&&) noexcept = default;
Repository& Repository::operator=(Repository&&) noexcept = default;
Repository::~Repository() = default;

Repository Repository::init(const fs::path& root) {
  fs::path absolute = fs::absolute(root).lexically_normal();
  if (absolute.has_filename() == false && absolute.has_parent_path()) absolute = absolute.parent_path();
  std::error_code ec;
  fs::create_directories(absolute / ".tinymlops", ec);
  if (ec) throw Error(ErrorKind::kIo, (absolute / ".tinymlops").string(), "cannot create: " + ec.message());
  if (!fs::exists(absolute / ".tinymlops" / ".gitignore")) {
    write_file_atomic(absolute / ".tinymlops" / ".gitignore", "# local state of tinymlops: never committed\n*\n");
  }
  if (!fs::exists(absolute / "tinymlops.yaml")) write_file_atomic(absolute / "tinymlops.yaml", default_project_config_text());
  return Repository(std::make_unique<Impl>(absolute));
}

Repository Repository::open(const fs::path& start) {
  fs::path dir = fs::absolute(start).lexically_normal();
  if (!fs::is_directory(dir)) dir = dir.parent_path();
  for (fs::path probe = dir;; probe = probe.parent_path()) {
    if (fs::is_directory(probe / ".tinymlops")) return Repository(std::make_unique<Impl>(probe));
    if (probe == probe.root_path() || probe.empty()) break;
  }
  throw Error(ErrorKind::kUsage, start.string(),
              "not inside a tinymlops project (no .tinymlops/ here or above); run `tinymlops init`");
}

const fs::path& Repository::root() const { return impl_->root; }

ProjectConfig Repository::config() const {
  fs::path file = root() / "tinymlops.yaml";
  if (!fs::exists(file)) return ProjectConfig{};
  return read_project_config(file);
}

std::vector<ManifestEntry> Repository::scan_manifest(const fs::path& dir) {
  std::vector<ManifestEntry> entries;
  const fs::path root = clean(dir);
  const std::string key_prefix = impl_->key_for(root) + "/";
  std::vector<ScannedFile> files = scan_directory(root);
  entries.reserve(files.size());
  {
    StateDb::Transaction snapshot(impl_->state, false);  // lookups only; writes are flushed after
    for (const ScannedFile& file : files) {
      entries.push_back({file.relative, impl_->hash_regular(file.path, key_prefix + file.relative, file.stat),
                         file.stat.stamp.size, file.stat.mode});
    }
    snapshot.commit();
  }
  impl_->flush();
  return entries;
}

std::string Repository::hash_path(const fs::path& raw_path) {
  const fs::path path = clean(raw_path);
  Stat st = lstat_path(path);
  if (!st.exists) throw Error(ErrorKind::kIo, path.string(), "does not exist");
  if (st.directory) return to_hex(sha256(format_manifest(scan_manifest(path))));
  if (!st.regular) refuse_special(path);
  std::string hash = impl_->hash_regular(path, st);
  impl_->flush();
  return hash;
}

SavedObject Repository::save_object(const fs::path& raw_path, const ByteProgress& progress) {
  const fs::path path = clean(raw_path);
  Stat st = lstat_path(path);
  if (!st.exists) throw Error(ErrorKind::kIo, path.string(), "does not exist");
  SavedObject saved;
  StagedWrites staged;
  if (st.regular) {
    saved.id = {impl_->save_regular(path, impl_->key_for(path), st, staged, &saved.copied_bytes, progress),
                ObjectKind::kFile};
    saved.size = st.stamp.size;
  } else if (st.directory) {
    std::vector<ScannedFile> files = scan_directory(path);
    const std::string key_prefix = impl_->key_for(path) + "/";
    uint64_t total = 0;
    for (const ScannedFile& file : files) total += file.stat.stamp.size;
    std::vector<ManifestEntry> entries;
    entries.reserve(files.size());
    uint64_t done = 0;
    for (const ScannedFile& file : files) {
      ByteProgress inner;
      if (progress) inner = [&](uint64_t bytes, uint64_t) { progress(done + bytes, total); };
      std::string hash = impl_->save_regular(file.path, key_prefix + file.relative, file.stat, staged,
                                             &saved.copied_bytes, inner);
      entries.push_back({file.relative, hash, file.stat.stamp.size, file.stat.mode});
      done += file.stat.stamp.size;
      if (progress) progress(done, total);
    }
    // Staged after its files: renamed last, so it never names a missing object.
    saved.id = {impl_->cache.stage_bytes(format_manifest(std::move(entries)), ObjectKind::kDirectory, staged),
                ObjectKind::kDirectory};
    saved.size = total;
    saved.files = files.size();
  } else {
    refuse_special(path);
  }
  staged.commit();
  impl_->flush();
  return saved;
}

std::string Repository::save(const fs::path& path) { return save_object(path).id.hash; }

std::vector<ManifestEntry> Repository::read_manifest(const std::string& hash) const {
  ObjectId id{hash, ObjectKind::kDirectory};
  return parse_manifest(impl_->cache.read(id), impl_->cache.object_path(id).string());
}

void Repository::restore(const std::string& hash, const fs::path& path) {
  ObjectId directory{hash, ObjectKind::kDirectory};
  restore_object(impl_->cache.contains(directory) ? directory : ObjectId{hash, ObjectKind::kFile}, path);
}

void Repository::restore_object(const ObjectId& id, const fs::path& raw_path, const ByteProgress& progress) {
  const fs::path path = clean(raw_path);
  ObjectCache& cache = impl_->cache;
  StagedWrites staged;
  Stat st = lstat_path(path);
  if (id.kind == ObjectKind::kFile) {
    cache.stage_copy_out(id, path, 0644, staged, progress);
    if (st.directory) fs::remove_all(path);
    staged.commit();
    return;
  }
  std::vector<ManifestEntry> entries = read_manifest(id.hash);
  for (const ManifestEntry& entry : entries) {
    if (!cache.contains({entry.hash, ObjectKind::kFile})) {
      throw_missing({entry.hash, ObjectKind::kFile}, cache.object_path({entry.hash, ObjectKind::kFile}));
    }
  }
  if (st.exists && !st.directory) fs::remove(path);
  fs::create_directories(path);
  uint64_t total = 0, done = 0;
  for (const ManifestEntry& entry : entries) total += entry.size;
  std::set<std::string> wanted;
  std::set<fs::path> wanted_dirs;
  for (const ManifestEntry& entry : entries) {
    wanted.insert(entry.path);
    fs::path target = path / entry.path;
    for (fs::path parent = target.parent_path(); parent.native().size() > path.native().size();
         parent = parent.parent_path()) {
      if (!wanted_dirs.insert(parent).second) break;
      Stat parent_stat = lstat_path(parent);
      if (parent_stat.exists && !parent_stat.directory) fs::remove(parent);
    }
    Stat target_stat = lstat_path(target);
    if (target_stat.regular && impl_->hash_regular(target, target_stat) == entry.hash) {
      if (target_stat.mode != entry.mode) fs::permissions(target, static_cast<fs::perms>(entry.mode));
    } else {
      if (target_stat.directory) fs::remove_all(target);
      ByteProgress inner;
      if (progress) inner = [&](uint64_t bytes, uint64_t) { progress(done + bytes, total); };
      cache.stage_copy_out({entry.hash, ObjectKind::kFile}, target, entry.mode, staged, inner);
    }
    done += entry.size;
    if (progress) progress(done, total);
  }
  staged.commit();
  impl_->flush();
  // What the manifest does not list goes (checkout has made sure it is safe to).
  std::vector<fs::path> extra;
  for (auto it = fs::recursive_directory_iterator(path); it != fs::recursive_directory_iterator(); ++it) {
    std::string relative = it->path().lexically_relative(path).generic_string();
    bool is_dir = it->is_directory() && !it->is_symlink();
    if (is_dir ? !wanted_dirs.count(it->path()) : !wanted.count(relative)) {
      extra.push_back(it->path());
      if (is_dir) it.disable_recursion_pending();
    }
  }
  for (const fs::path& p : extra) fs::remove_all(p);
}

bool Repository::contains(const std::string& hash) const {
  if (!is_sha256_hex(hash)) return false;
  return impl_->cache.contains({hash, ObjectKind::kFile}) || impl_->cache.contains({hash, ObjectKind::kDirectory});
}

void Repository::set_references(const std::string& owner, const std::vector<std::string>& hashes) {
  if (owner.empty()) throw Error(ErrorKind::kUsage, "set_references", "the owner name is empty");
  for (const std::string& hash : hashes) {
    if (!is_sha256_hex(hash)) throw Error(ErrorKind::kInvalid, owner, "'" + hash + "' is not a SHA-256 hash");
  }
  impl_->state.set_references(owner, hashes);
}

std::map<std::string, std::vector<std::string>> Repository::references() { return impl_->state.references(); }

ObjectCache& Repository::cache() { return impl_->cache; }
const ObjectCache& Repository::cache() const { return impl_->cache; }
HashCacheStats Repository::hash_cache_stats() const { return impl_->state.stats(); }

}  // namespace tinymlops::store

// LocalOutputCache: the pipeline's own object copies, used until the store module
// provides the project cache (see output_cache.h).
#include <unistd.h>

#include <algorithm>

#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/core/hash.h"
#include "tinymlops/pipeline/output_cache.h"

namespace tinymlops::pipeline {

namespace fs = std::filesystem;

namespace {

std::string directory_hash(const fs::path& dir) {
  std::vector<std::string> lines;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    lines.push_back(entry.path().lexically_relative(dir).generic_string() + '\0' + sha256_file_hex(entry.path()) + "\n");
  }
  std::sort(lines.begin(), lines.end());
  std::string listing = "tinymlops-directory\n";
  for (const std::string& line : lines) listing += line;
  return to_hex(sha256(listing));
}

// Copies `from` to `to` through a temporary sibling and a rename, so `to` is
// either absent or complete.
void copy_into_place(const fs::path& from, const fs::path& to) {
  fs::create_directories(to.parent_path());
  const fs::path temp = to.parent_path() / (".tmp-" + to.filename().string() + "-" + std::to_string(::getpid()));
  fs::remove_all(temp);
  try {
    if (fs::is_directory(from)) fs::copy(from, temp, fs::copy_options::recursive);
    else fs::copy_file(from, temp);
    fs::remove_all(to);
    fs::rename(temp, to);
  } catch (const fs::filesystem_error& e) {
    std::error_code ignored;
    fs::remove_all(temp, ignored);
    throw Error(ErrorKind::kIo, to.string(), std::string("cannot copy from ") + from.string() + ": " + e.code().message());
  }
}

}  // namespace

LocalOutputCache::LocalOutputCache(fs::path objects_dir) : objects_dir_(std::move(objects_dir)) {}

std::string LocalOutputCache::hash(const fs::path& path) {
  if (fs::is_directory(path)) return directory_hash(path);
  if (!fs::is_regular_file(path)) throw Error(ErrorKind::kIo, path.string(), "does not exist");
  return sha256_file_hex(path);
}

std::string LocalOutputCache::save(const fs::path& path) {
  const std::string digest = hash(path);
  const fs::path object = objects_dir_ / (fs::is_directory(path) ? digest + ".dir" : digest);
  if (!fs::exists(object)) copy_into_place(path, object);
  return digest;
}

void LocalOutputCache::restore(const std::string& digest, const fs::path& path) {
  fs::path object = objects_dir_ / digest;
  if (!fs::exists(object)) object = objects_dir_ / (digest + ".dir");
  if (!fs::exists(object)) throw Error(ErrorKind::kIo, object.string(), "object is not in the run cache");
  if (hash(object) != digest) {
    throw Error(ErrorKind::kFormat, object.string(), "cached object is corrupted (its content no longer matches its hash)");
  }
  copy_into_place(object, path);
}

bool LocalOutputCache::contains(const std::string& digest) {
  return fs::exists(objects_dir_ / digest) || fs::exists(objects_dir_ / (digest + ".dir"));
}

void LocalOutputCache::keep(const std::string& owner, const std::vector<std::string>& hashes) {
  std::vector<std::string> sorted = hashes;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::string text;
  for (const std::string& h : sorted) text += h + "\n";
  const fs::path dir = objects_dir_.parent_path() / "keep";
  fs::create_directories(dir);
  write_file_atomic(dir / owner, text);
}

}  // namespace tinymlops::pipeline

// tinymlops checkout: make the workspace match the pointers, never losing
// content that exists nowhere else unless --force.
#include <map>

#include "tinymlops/core/error.h"
#include "tinymlops/store/workspace.h"

namespace tinymlops::store {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void refuse(const fs::path& file, const TrackedPath& tracked) {
  throw Error(ErrorKind::kInvalid, file.string(),
              "has changes that are not in the cache; `tinymlops add " + tracked.target.filename().string() +
                  "` to keep them or `tinymlops checkout --force` to discard them");
}

// True when the workspace already matches; throws (refuse) when restoring would
// lose content that is not in the cache and `force` is off.
bool matches_or_safe(Repository& repo, const TrackedPath& tracked, bool force) {
  const ObjectCache& cache = repo.cache();
  const ObjectId& id = tracked.pointer.id;
  std::error_code ec;
  fs::file_status st = fs::symlink_status(tracked.target, ec);
  if (!fs::exists(st)) return false;
  if (fs::is_regular_file(st)) {
    std::string hash = repo.hash_path(tracked.target);
    if (id.kind == ObjectKind::kFile && hash == id.hash) return true;
    if (!force && !cache.contains({hash, ObjectKind::kFile})) refuse(tracked.target, tracked);
    return false;
  }
  if (!fs::is_directory(st)) {
    if (!force) refuse(tracked.target, tracked);
    return false;
  }
  std::vector<ManifestEntry> now = repo.scan_manifest(tracked.target);
  if (id.kind == ObjectKind::kDirectory) {
    std::string bytes = format_manifest(now);
    if (to_hex(sha256(bytes)) == id.hash) return true;
  }
  if (force) return false;
  std::map<std::string, std::string> wanted;
  if (id.kind == ObjectKind::kDirectory) {
    for (const ManifestEntry& e : repo.read_manifest(id.hash)) wanted[e.path] = e.hash;
  }
  for (const ManifestEntry& e : now) {
    auto it = wanted.find(e.path);
    if (it != wanted.end() && it->second == e.hash) continue;
    if (!cache.contains({e.hash, ObjectKind::kFile})) refuse(tracked.target / e.path, tracked);
  }
  return false;
}

}  // namespace

std::vector<CheckoutResult> checkout(Repository& repo, const std::vector<fs::path>& targets, bool force,
                                     const ByteProgress& progress) {
  std::vector<TrackedPath> tracked = resolve_tracked(repo, targets);
  // Every check before any change: a refusal leaves the whole workspace as it was.
  std::vector<bool> matches;
  for (const TrackedPath& t : tracked) {
    if (!repo.cache().contains(t.pointer.id)) throw_missing(t.pointer.id, repo.cache().object_path(t.pointer.id));
    matches.push_back(matches_or_safe(repo, t, force));
  }
  std::vector<CheckoutResult> results;
  for (size_t i = 0; i < tracked.size(); ++i) {
    if (!matches[i]) repo.restore_object(tracked[i].pointer.id, tracked[i].target, progress);
    results.push_back({tracked[i], !matches[i]});
  }
  return results;
}

}  // namespace tinymlops::store

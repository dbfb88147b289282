// tinymlops status: what changed in the workspace since add or checkout.
#include <map>

#include "tinymlops/core/error.h"
#include "tinymlops/store/workspace.h"

namespace tinymlops::store {

namespace fs = std::filesystem;

const char* workspace_state_name(WorkspaceState state) {
  switch (state) {
    case WorkspaceState::kUnchanged: return "unchanged";
    case WorkspaceState::kModified: return "modified";
    case WorkspaceState::kMissing: return "missing";
  }
  return "?";
}

namespace {

// Compares the cached manifest with the workspace one; fills the counts.
void count_changes(const std::vector<ManifestEntry>& before, const std::vector<ManifestEntry>& now, PathStatus& s) {
  std::map<std::string, const ManifestEntry*> old_entries;
  for (const ManifestEntry& e : before) old_entries[e.path] = &e;
  for (const ManifestEntry& e : now) {
    auto it = old_entries.find(e.path);
    if (it == old_entries.end()) {
      ++s.added;
    } else {
      if (it->second->hash != e.hash || it->second->mode != e.mode) ++s.changed;
      old_entries.erase(it);
    }
  }
  s.removed = old_entries.size();
  s.details_known = true;
}

bool all_files_cached(const ObjectCache& cache, const std::vector<ManifestEntry>& entries) {
  std::vector<ObjectId> ids;
  ids.reserve(entries.size());
  for (const ManifestEntry& e : entries) ids.push_back({e.hash, ObjectKind::kFile});
  return cache.contains_all(ids);
}

std::string sha256_hex(const std::string& bytes) {
  Sha256Stream sha;
  sha.update(bytes.data(), bytes.size());
  return sha.finish_hex();
}

}  // namespace

std::vector<PathStatus> workspace_status(Repository& repo, const std::vector<fs::path>& targets) {
  std::vector<PathStatus> result;
  const ObjectCache& cache = repo.cache();
  for (TrackedPath& tracked : resolve_tracked(repo, targets)) {
    PathStatus s;
    const ObjectId& id = tracked.pointer.id;
    std::error_code ec;
    fs::file_status st = fs::symlink_status(tracked.target, ec);
    const bool is_dir = id.kind == ObjectKind::kDirectory;
    std::vector<ManifestEntry> now;  // the workspace directory's manifest
    if (!fs::exists(st)) {
      s.workspace = WorkspaceState::kMissing;
    } else if (is_dir != fs::is_directory(st) || (!is_dir && !fs::is_regular_file(st))) {
      s.workspace = WorkspaceState::kModified;  // a file where a directory was, or the reverse
    } else if (!is_dir) {
      if (repo.hash_path(tracked.target) != id.hash) s.workspace = WorkspaceState::kModified;
    } else {
      now = repo.scan_manifest(tracked.target);
      if (sha256_hex(format_manifest(now)) == id.hash) {
        // The workspace has exactly the manifest's files: no need to read it.
        s.in_cache = cache.contains(id) && all_files_cached(cache, now);
      } else {
        s.workspace = WorkspaceState::kModified;
      }
    }
    if (!is_dir) {
      s.in_cache = cache.contains(id);
    } else if (s.workspace != WorkspaceState::kUnchanged) {
      // Only a readable, uncorrupted manifest tells which file objects are needed.
      s.in_cache = cache.contains(id);
      if (s.in_cache) {
        std::vector<ManifestEntry> cached = repo.read_manifest(id.hash);
        s.in_cache = all_files_cached(cache, cached);
        if (s.workspace == WorkspaceState::kModified && fs::is_directory(st)) count_changes(cached, now, s);
      }
    }
    s.tracked = std::move(tracked);
    result.push_back(std::move(s));
  }
  return result;
}

}  // namespace tinymlops::store

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
    std::vector<ManifestEntry> cached_manifest;
    bool manifest_ok = false;
    if (is_dir) {
      // Only a readable, uncorrupted manifest tells which file objects are needed.
      if (cache.contains(id)) {
        cached_manifest = repo.read_manifest(id.hash);
        manifest_ok = true;
      }
      s.in_cache = manifest_ok;
      for (const ManifestEntry& e : cached_manifest) {
        if (!cache.contains({e.hash, ObjectKind::kFile})) {
          s.in_cache = false;
          break;
        }
      }
    } else {
      s.in_cache = cache.contains(id);
    }
    if (!fs::exists(st)) {
      s.workspace = WorkspaceState::kMissing;
    } else if (is_dir && fs::is_directory(st)) {
      std::vector<ManifestEntry> now = repo.scan_manifest(tracked.target);
      if (format_manifest(now) != (manifest_ok ? format_manifest(cached_manifest) : std::string())) {
        // Without the cached manifest, compare hashes.
        Sha256Stream sha;
        std::string bytes = format_manifest(now);
        sha.update(bytes.data(), bytes.size());
        if (sha.finish_hex() != id.hash) {
          s.workspace = WorkspaceState::kModified;
          if (manifest_ok) count_changes(cached_manifest, now, s);
        }
      }
    } else if (!is_dir && fs::is_regular_file(st)) {
      if (repo.hash_path(tracked.target) != id.hash) s.workspace = WorkspaceState::kModified;
    } else {
      s.workspace = WorkspaceState::kModified;  // a file where a directory was, or the reverse
    }
    s.tracked = std::move(tracked);
    result.push_back(std::move(s));
  }
  return result;
}

}  // namespace tinymlops::store

// tinymlops gc: drop the objects nothing refers to.
#include <sys/stat.h>

#include <chrono>
#include <set>

#include "tinymlops/core/error.h"
#include "tinymlops/store/workspace.h"

namespace tinymlops::store {

namespace fs = std::filesystem;

namespace {

// Adds `id` and, for a cached directory manifest, its files. A corrupted manifest
// throws: gc must not guess what it would have kept alive.
void keep(Repository& repo, const ObjectId& id, std::set<ObjectId>& live) {
  if (!live.insert(id).second) return;
  if (id.kind == ObjectKind::kDirectory && repo.cache().contains(id)) {
    for (const ManifestEntry& e : repo.read_manifest(id.hash)) live.insert({e.hash, ObjectKind::kFile});
  }
}

// Temporaries left by interrupted commands, older than a day.
void remove_stale_temporaries(const fs::path& tmp_dir) {
  const auto now = fs::file_time_type::clock::now();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(tmp_dir, ec)) {
    std::error_code time_ec;
    auto written = entry.last_write_time(time_ec);
    if (!time_ec && now - written > std::chrono::hours(24)) fs::remove(entry.path(), time_ec);
  }
}

}  // namespace

GcReport collect_garbage(Repository& repo, bool dry_run) {
  std::set<ObjectId> live;
  for (const TrackedPath& tracked : resolve_tracked(repo, {})) keep(repo, tracked.pointer.id, live);
  for (const auto& [owner, hashes] : repo.references()) {
    for (const std::string& hash : hashes) {
      keep(repo, {hash, ObjectKind::kFile}, live);
      keep(repo, {hash, ObjectKind::kDirectory}, live);
    }
  }
  GcReport report;
  for (const ObjectCache::Listed& object : repo.cache().list()) {
    if (live.count(object.id)) {
      ++report.kept;
      continue;
    }
    if (!dry_run) repo.cache().remove(object.id);
    report.dropped.push_back(object);
    report.dropped_bytes += object.size;
  }
  if (!dry_run) remove_stale_temporaries(repo.cache().tmp_dir());
  return report;
}

}  // namespace tinymlops::store

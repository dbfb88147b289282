// tinymlops push / pull: copy objects between the cache and a remote.
#include <set>

#include "tinymlops/core/error.h"
#include "tinymlops/store/workspace.h"

namespace tinymlops::store {

namespace fs = std::filesystem;

namespace {

// The objects `targets` need that are known locally: files first, then
// manifests, so a remote never holds a manifest naming files it lacks.
std::vector<ObjectId> needed_objects(Repository& repo, const std::vector<ObjectId>& roots,
                                     std::vector<ObjectId>& unavailable) {
  std::set<ObjectId> seen;
  std::vector<ObjectId> files, manifests;
  for (const ObjectId& id : roots) {
    if (!seen.insert(id).second) continue;
    if (!repo.cache().contains(id)) {
      unavailable.push_back(id);
      continue;
    }
    if (id.kind == ObjectKind::kFile) {
      files.push_back(id);
      continue;
    }
    manifests.push_back(id);
    for (const ManifestEntry& e : repo.read_manifest(id.hash)) {
      ObjectId file{e.hash, ObjectKind::kFile};
      if (!seen.insert(file).second) continue;
      if (repo.cache().contains(file)) files.push_back(file);
      else unavailable.push_back(file);
    }
  }
  files.insert(files.end(), manifests.begin(), manifests.end());
  return files;
}

// Fetches `ids` from the remote into the cache (verified; committed together).
void fetch(Repository& repo, Remote& remote, const std::vector<ObjectId>& ids, const std::set<std::string>& on_remote,
           TransferReport& report, const ByteProgress& progress, uint64_t& done) {
  ObjectCache& cache = repo.cache();
  StagedWrites staged;
  for (const ObjectId& id : ids) {
    if (cache.contains(id)) {
      ++report.already_there;
      continue;
    }
    if (!on_remote.count(object_key(id))) {
      report.unavailable.push_back(id);
      continue;
    }
    StagedWrites::File& file = staged.begin(cache.tmp_dir(), cache.object_path(id), 0444);
    Sha256Stream sha;
    uint64_t bytes = 0;
    try {
      remote.get(id, [&](const char* data, size_t size) {
        sha.update(data, size);
        for (size_t written = 0; written < size;) {
          ssize_t n = ::write(file.fd, data + written, size - written);
          if (n < 0 && errno == EINTR) continue;
          if (n < 0) throw Error(ErrorKind::kIo, cache.object_path(id).string(), "cannot write");
          written += static_cast<size_t>(n);
        }
        bytes += size;
        if (progress) progress(done + bytes, 0);
      });
    } catch (...) {
      staged.drop(file);
      throw;
    }
    std::string actual = sha.finish_hex();
    if (actual != id.hash) {
      staged.drop(file);
      throw_corrupted(id, fs::path(remote.location()) / object_key(id), actual);
    }
    staged.end(file);
    ++report.transferred;
    report.bytes += bytes;
    done += bytes;
  }
  staged.commit();
}

}  // namespace

TransferReport push(Repository& repo, Remote& remote, const std::vector<fs::path>& targets,
                    const ByteProgress& progress) {
  std::vector<ObjectId> roots;
  for (const TrackedPath& t : resolve_tracked(repo, targets)) roots.push_back(t.pointer.id);
  if (targets.empty()) {
    for (const auto& [owner, hashes] : repo.references()) {
      for (const std::string& hash : hashes) {
        bool is_dir = repo.cache().contains({hash, ObjectKind::kDirectory});
        roots.push_back({hash, is_dir ? ObjectKind::kDirectory : ObjectKind::kFile});
      }
    }
  }
  TransferReport report;
  std::vector<ObjectId> needed = needed_objects(repo, roots, report.unavailable);
  std::set<std::string> on_remote = remote.list();
  uint64_t total = 0;
  for (const ObjectId& id : needed) {
    if (!on_remote.count(object_key(id))) total += fs::file_size(repo.cache().object_path(id));
  }
  for (const ObjectId& id : needed) {
    if (on_remote.count(object_key(id))) {
      ++report.already_there;
      continue;
    }
    fs::path local = repo.cache().object_path(id);
    uint64_t size = fs::file_size(local);
    remote.put(id, local);  // verified while copied
    ++report.transferred;
    report.bytes += size;
    if (progress) progress(report.bytes, total);
  }
  remote.flush();
  return report;
}

TransferReport pull(Repository& repo, Remote& remote, const std::vector<fs::path>& targets,
                    const ByteProgress& progress) {
  std::vector<ObjectId> roots;
  for (const TrackedPath& t : resolve_tracked(repo, targets)) roots.push_back(t.pointer.id);
  TransferReport report;
  std::set<std::string> on_remote = remote.list();
  uint64_t done = 0;
  // Manifests first: they say which files a directory needs.
  std::vector<ObjectId> manifests, files;
  std::set<ObjectId> seen;
  for (const ObjectId& id : roots) {
    if (seen.insert(id).second) (id.kind == ObjectKind::kDirectory ? manifests : files).push_back(id);
  }
  fetch(repo, remote, manifests, on_remote, report, progress, done);
  for (const ObjectId& id : manifests) {
    if (!repo.cache().contains(id)) continue;
    for (const ManifestEntry& e : repo.read_manifest(id.hash)) {
      ObjectId file{e.hash, ObjectKind::kFile};
      if (seen.insert(file).second) files.push_back(file);
    }
  }
  fetch(repo, remote, files, on_remote, report, progress, done);
  return report;
}

}  // namespace tinymlops::store

// The store's commands over a project's workspace (the tree of files beside
// .tinymlops/): add, status, checkout, gc, push and pull. The CLI
// (src/cli/store_commands.cc) parses flags, calls these and prints the results.
//
// Mutating operations expect the caller to hold a ProjectLock.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tinymlops/store/pointer.h"
#include "tinymlops/store/remote.h"
#include "tinymlops/store/repository.h"

namespace tinymlops::store {

// A pointer file and the path it tracks.
struct TrackedPath {
  std::filesystem::path pointer_file;
  std::filesystem::path target;
  Pointer pointer;
};

// Every *.tinymlops pointer file under `dir`, sorted; skips .tinymlops/, .git/ and
// tracked directories (those with a sibling pointer).
std::vector<std::filesystem::path> find_pointer_files(const std::filesystem::path& dir);

// The tracked paths `targets` name: a tracked path, its pointer file, or a
// directory holding pointers. No targets: every pointer of the project. Throws
// Error(kUsage) for a target that is not tracked, and the parse error of a bad
// pointer file (file:line:col).
std::vector<TrackedPath> resolve_tracked(const Repository& repo, const std::vector<std::filesystem::path>& targets);

// ---- add ----
struct AddResult {
  TrackedPath tracked;
  SavedObject saved;
  bool pointer_changed = false;    // false: the pointer already said this
  bool gitignore_changed = false;  // false: the .gitignore entry was there
};
// Saves `path` (file or directory inside the project) into the cache, leaves it in
// place as it was, writes PATH.tinymlops (after the objects are durable) and adds
// "/NAME" to the .gitignore beside it once.
AddResult add_path(Repository& repo, const std::filesystem::path& path, const ByteProgress& progress = nullptr);

// ---- status ----
enum class WorkspaceState { kUnchanged, kModified, kMissing };
const char* workspace_state_name(WorkspaceState state);  // "unchanged", "modified", "missing"

struct PathStatus {
  TrackedPath tracked;
  WorkspaceState workspace = WorkspaceState::kUnchanged;
  bool in_cache = true;  // the object (and for a directory every file object) is cached
  // Directories, when modified and the old manifest is cached: file counts.
  bool details_known = false;
  size_t changed = 0, added = 0, removed = 0;
};
std::vector<PathStatus> workspace_status(Repository& repo, const std::vector<std::filesystem::path>& targets);

// ---- checkout ----
struct CheckoutResult {
  TrackedPath tracked;
  bool restored = false;  // false: the workspace already matched the pointer
};
// Restores each tracked path to what its pointer says. Without `force`, refuses
// (Error(kInvalid) naming the file, before changing anything) to overwrite or
// delete content that is not in the cache.
std::vector<CheckoutResult> checkout(Repository& repo, const std::vector<std::filesystem::path>& targets, bool force,
                                     const ByteProgress& progress = nullptr);

// ---- gc ----
struct GcReport {
  std::vector<ObjectCache::Listed> dropped;  // sorted by key
  uint64_t dropped_bytes = 0;
  size_t kept = 0;
};
// Drops every cached object that no pointer file in the workspace and no
// set_references() owner keeps alive (manifests keep their files alive). With
// `dry_run`, only reports. Stops with an error, dropping nothing, when a pointer
// file is malformed or a needed manifest is corrupted.
GcReport collect_garbage(Repository& repo, bool dry_run);

// ---- push / pull ----
struct TransferReport {
  size_t transferred = 0;
  uint64_t bytes = 0;
  size_t already_there = 0;
  std::vector<ObjectId> unavailable;  // push: not in the local cache; pull: not on the remote
};
// Copies the objects of `targets` (none: every pointer and every referenced object)
// that the remote lacks. Every object is verified while it is copied.
TransferReport push(Repository& repo, Remote& remote, const std::vector<std::filesystem::path>& targets,
                    const ByteProgress& progress = nullptr);
// Fetches the objects of `targets` (none: every pointer) missing from the cache,
// verifying each before it enters the cache. Does not touch the workspace.
TransferReport pull(Repository& repo, Remote& remote, const std::vector<std::filesystem::path>& targets,
                    const ByteProgress& progress = nullptr);

// The remote `name` of tinymlops.yaml (default_remote when empty); a name with a
// "/" not in the config is taken as a directory path.
std::unique_ptr<Remote> open_named_remote(const Repository& repo, const std::string& name);

}  // namespace tinymlops::store

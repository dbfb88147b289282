// Finding pointer files and resolving command targets to tracked paths.
#include <algorithm>
#include <set>

#include "tinymlops/core/error.h"
#include "tinymlops/store/workspace.h"

namespace tinymlops::store {

namespace fs = std::filesystem;

namespace {

void find_in(const fs::path& dir, std::vector<fs::path>& out) {
  std::vector<fs::path> subdirs;
  std::set<std::string> tracked_names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& path = it->path();
    const std::string name = path.filename().string();
    std::error_code type_ec;
    if (it->is_symlink(type_ec)) continue;
    if (it->is_directory(type_ec)) {
      if (name != ".tinymlops" && name != ".git") subdirs.push_back(path);
    } else if (is_pointer_file(path)) {
      out.push_back(path);
      tracked_names.insert(name.substr(0, name.size() - std::string(kPointerSuffix).size()));
    }
  }
  if (ec) throw Error(ErrorKind::kIo, dir.string(), "cannot list directory: " + ec.message());
  for (const fs::path& sub : subdirs) {
    if (!tracked_names.count(sub.filename().string())) find_in(sub, out);
  }
}

}  // namespace

std::vector<fs::path> find_pointer_files(const fs::path& dir) {
  std::vector<fs::path> found;
  find_in(dir, found);
  std::sort(found.begin(), found.end());
  return found;
}

std::vector<TrackedPath> resolve_tracked(const Repository& repo, const std::vector<fs::path>& targets) {
  std::vector<fs::path> pointer_files;
  if (targets.empty()) pointer_files = find_pointer_files(repo.root());
  for (const fs::path& target : targets) {
    fs::path absolute = fs::absolute(target).lexically_normal();
    if (!absolute.has_filename() && absolute.has_parent_path()) absolute = absolute.parent_path();
    if (is_pointer_file(absolute) && fs::is_regular_file(absolute)) {
      pointer_files.push_back(absolute);
    } else if (fs::is_regular_file(pointer_file_for(absolute))) {
      pointer_files.push_back(pointer_file_for(absolute));
    } else if (fs::is_directory(absolute)) {
      std::vector<fs::path> inside = find_pointer_files(absolute);
      if (inside.empty()) throw Error(ErrorKind::kUsage, target.string(), "holds no tracked paths (no *.tinymlops files)");
      pointer_files.insert(pointer_files.end(), inside.begin(), inside.end());
    } else {
      throw Error(ErrorKind::kUsage, target.string(),
                  "is not tracked (no " + pointer_file_for(target).filename().string() + "); `tinymlops add` it first");
    }
  }
  std::vector<TrackedPath> tracked;
  std::set<fs::path> seen;
  for (const fs::path& file : pointer_files) {
    if (!seen.insert(file).second) continue;
    Pointer pointer = read_pointer(file);
    tracked.push_back({file, target_of(file, pointer), pointer});
  }
  return tracked;
}

std::unique_ptr<Remote> open_named_remote(const Repository& repo, const std::string& name) {
  ProjectConfig config = repo.config();
  std::string chosen = name.empty() ? config.default_remote : name;
  const std::string config_file = (repo.root() / "tinymlops.yaml").string();
  if (chosen.empty()) {
    throw Error(ErrorKind::kUsage, config_file,
                "no remote given and no default_remote; pass --remote NAME or add one under 'remotes:'");
  }
  auto it = config.remotes.find(chosen);
  if (it != config.remotes.end()) return open_remote(it->second, repo.root());
  if (chosen.find('/') != std::string::npos) return open_remote(chosen, fs::current_path());
  std::string known;
  for (const auto& [remote_name, location] : config.remotes) known += (known.empty() ? "" : ", ") + remote_name;
  throw Error(ErrorKind::kUsage, "--remote " + chosen,
              "no such remote in " + config_file + " (known: " + (known.empty() ? "none" : known) + ")");
}

}  // namespace tinymlops::store

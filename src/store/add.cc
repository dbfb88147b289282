// tinymlops add: save into the cache, write the pointer, ignore the path in git.
#include <algorithm>
#include <sstream>

#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/store/workspace.h"

namespace tinymlops::store {

namespace fs = std::filesystem;

namespace {

// "/NAME" with gitignore's special characters escaped.
std::string gitignore_line(const std::string& name) {
  std::string line = "/";
  for (char c : name) {
    if (c == '*' || c == '?' || c == '[' || c == '\\') line.push_back('\\');
    line.push_back(c);
  }
  return line;
}

// Adds `line` to dir/.gitignore unless a line already says it. True when written.
bool ensure_gitignored(const fs::path& dir, const std::string& line) {
  const fs::path file = dir / ".gitignore";
  std::string text = fs::exists(file) ? read_file(file) : "";
  std::istringstream lines(text);
  for (std::string existing; std::getline(lines, existing);) {
    if (existing == line) return false;
  }
  if (!text.empty() && text.back() != '\n') text.push_back('\n');
  text += line + "\n";
  write_file_atomic(file, text);
  return true;
}

// Checks that `path` may be tracked: inside the project, not its state, not a
// pointer, not inside a tracked directory.
void check_trackable(const Repository& repo, const fs::path& absolute, const std::string& shown) {
  fs::path relative = absolute.lexically_relative(repo.root());
  if (relative.empty() || relative == "." || *relative.begin() == "..") {
    throw Error(ErrorKind::kUsage, shown, "is not inside the project " + repo.root().string());
  }
  if (*relative.begin() == ".tinymlops" || *relative.begin() == ".git") {
    throw Error(ErrorKind::kUsage, shown, "is part of the project's own state and cannot be tracked");
  }
  if (is_pointer_file(absolute)) throw Error(ErrorKind::kUsage, shown, "is a pointer file; add the path it tracks");
  if (relative == "tinymlops.yaml") throw Error(ErrorKind::kUsage, shown, "is the project configuration; commit it to git");
  for (fs::path parent = absolute.parent_path(); parent.native().size() > repo.root().native().size();
       parent = parent.parent_path()) {
    if (fs::exists(pointer_file_for(parent))) {
      throw Error(ErrorKind::kUsage, shown,
                  "is inside the tracked directory " + parent.string() + "; `tinymlops add` that directory instead");
    }
  }
}

}  // namespace

AddResult add_path(Repository& repo, const fs::path& path, const ByteProgress& progress) {
  fs::path absolute = fs::absolute(path).lexically_normal();
  if (!absolute.has_filename() && absolute.has_parent_path()) absolute = absolute.parent_path();
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(absolute, ec))) throw Error(ErrorKind::kIo, path.string(), "does not exist");
  check_trackable(repo, absolute, path.string());

  AddResult result;
  result.saved = repo.save_object(absolute, progress);
  Pointer pointer;
  pointer.id = result.saved.id;
  pointer.size = result.saved.size;
  pointer.files = result.saved.files;
  pointer.path = absolute.filename().string();
  const fs::path pointer_file = pointer_file_for(absolute);
  const std::string text = format_pointer(pointer);
  // The objects are durable (save_object committed them) before the pointer names them.
  if (!fs::exists(pointer_file) || read_file(pointer_file) != text) {
    write_file_atomic(pointer_file, text);
    result.pointer_changed = true;
  }
  result.gitignore_changed = ensure_gitignored(absolute.parent_path(), gitignore_line(pointer.path));
  result.tracked = {pointer_file, absolute, pointer};
  return result;
}

}  // namespace tinymlops::store

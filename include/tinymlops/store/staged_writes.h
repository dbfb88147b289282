// Writes many files durably with one filesystem sync instead of one fsync each
// (4-5 ms per fsync here: 10,000 small files would take most of a minute).
//
// Durability invariants (numbered so code can cite them):
//   1. Bytes go to a temporary file (".NAME.tmp.XXXXXX" in a directory on the
//      destination's filesystem), never to the destination itself.
//   2. commit() makes every temporary durable (one syncfs per filesystem) before
//      renaming any of them, so a destination never names bytes a crash can lose.
//   3. Then each temporary is renamed over its destination, and every directory
//      that received a name (and the parent of a directory commit() created) is
//      fsync'ed, so the names survive a crash.
//   4. Files staged and not committed (an error, drop(), destruction) are removed;
//      their destinations are untouched.
#pragma once

#include <sys/types.h>

#include <deque>
#include <filesystem>
#include <string>

namespace tinymlops::store {

class StagedWrites {
 public:
  struct File {
    std::filesystem::path temp;
    std::filesystem::path destination;  // may be set by end() when only known later
    int fd = -1;
    bool dropped = false;
  };

  StagedWrites() = default;
  ~StagedWrites();
  StagedWrites(const StagedWrites&) = delete;
  StagedWrites& operator=(const StagedWrites&) = delete;

  // Opens a temporary in `temp_directory` (which must exist, on the destination's
  // filesystem) for `destination` (may be empty and given to end()). The caller
  // writes to file.fd, then calls end() or drop(). The reference stays valid.
  File& begin(const std::filesystem::path& temp_directory, const std::filesystem::path& destination, mode_t mode);
  // Closes the descriptor; the temporary is renamed at commit(). A non-empty
  // `destination` replaces the one given to begin().
  void end(File& file, const std::filesystem::path& destination = {});
  // Closes and removes the temporary; nothing is renamed for it.
  void drop(File& file);
  // Invariants 2 and 3. Parent directories of destinations are created as needed.
  // After commit() the object is empty and can stage again.
  void commit();
  size_t size() const { return files_.size(); }

 private:
  void remove_all_temporaries() noexcept;
  std::deque<File> files_;
};

}  // namespace tinymlops::store

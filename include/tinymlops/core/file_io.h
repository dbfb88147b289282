// Whole-file reads and atomic whole-file writes.
//
// Durability invariants kept by write_file_atomic (numbered so code can cite them):
//   1. The bytes go to a temporary file in the destination's directory, never to the
//      destination itself, so a crash leaves either the old file or the new one.
//   2. The temporary file is fsync'ed before it is renamed over the destination.
//   3. The directory is fsync'ed after the rename, so the new name survives a crash.
//   4. On any failure the temporary file is removed and the destination is untouched.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace tinymlops {

// Returns the whole content of `path`. Throws Error(kIo) naming the path on failure.
std::string read_file(const std::filesystem::path& path);

// Replaces `path` with `bytes` atomically (see the invariants above). The parent
// directory must exist. Throws Error(kIo) naming the path on failure.
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

}  // namespace tinymlops

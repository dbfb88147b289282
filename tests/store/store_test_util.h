// Helpers for the store tests: a project in a temp dir, file times moved into
// the past (so hashes are cacheable), byte flips in objects.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "test_util.h"
#include "tinymlops/core/file_io.h"

namespace tinymlops::store::testing {

// Sets the modification time of `path` (and everything under it) an hour back.
inline void age(const std::filesystem::path& path) {
  auto past = std::filesystem::file_time_type::clock::now() - std::chrono::hours(1);
  std::filesystem::last_write_time(path, past);
  if (std::filesystem::is_directory(path)) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(path)) {
      std::filesystem::last_write_time(entry.path(), past);
    }
  }
}

// Flips the bits of the byte at `offset` of a (read-only) object file.
inline void flip_byte(const std::filesystem::path& file, size_t offset = 0) {
  std::filesystem::permissions(file, std::filesystem::perms::owner_write, std::filesystem::perm_options::add);
  std::string bytes = read_file(file);
  bytes[offset] = static_cast<char>(~bytes[offset]);
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

inline std::string message_of(const auto& action) {
  try {
    action();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace tinymlops::store::testing

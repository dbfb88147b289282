// Pointer files: PATH.tinymlops, written beside a tracked PATH and committed to
// git in its place. YAML, byte for byte as format_pointer() writes it:
//
//   # tinymlops pointer: commit this file; the content is in the cache (docs/store.md)
//   version: 1
//   kind: file                 # or directory
//   hash: <64 hex digits>      # SHA-256 of the content, or of the directory manifest
//   size: 12345                # bytes (all files for a directory)
//   files: 3                   # directories only: how many files
//   path: "data.csv"           # the tracked file's name, in the pointer's directory
//
// The hash doubles as the checksum: the object it names is verified on every read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "tinymlops/store/object_cache.h"

namespace tinymlops::store {

inline constexpr const char* kPointerSuffix = ".tinymlops";

struct Pointer {
  ObjectId id;
  uint64_t size = 0;
  uint64_t files = 1;
  std::string path;  // a file name, no "/"
};

std::string format_pointer(const Pointer& pointer);
// Parses a pointer file. Errors name file:line:col (unknown key, bad hash, ...).
Pointer read_pointer(const std::filesystem::path& pointer_file);

// "data.csv" -> "data.csv.tinymlops" (a trailing "/" is ignored).
std::filesystem::path pointer_file_for(const std::filesystem::path& target);
// True for names ending in ".tinymlops".
bool is_pointer_file(const std::filesystem::path& path);
// The tracked path a pointer file describes: its directory / pointer.path.
std::filesystem::path target_of(const std::filesystem::path& pointer_file, const Pointer& pointer);

}  // namespace tinymlops::store

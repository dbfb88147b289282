// Directory manifests: how the store names a directory by one hash.
//
// A manifest lists a directory's regular files, sorted by path (bytewise), as JSON:
//
//   [
//   {"path":"images/0001.png","hash":"<64 hex>","size":1234,"mode":420},
//   {"path":"labels.csv","hash":"<64 hex>","size":77,"mode":420}
//   ]
//
// one entry per line, "path" relative with "/" separators, "mode" the permission
// bits (420 = 0644). The manifest's bytes are stored as an object of their own
// (cache/ab/cdef....dir) and their SHA-256 is the directory's hash. Empty
// directories are not recorded (like git).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinymlops::store {

struct ManifestEntry {
  std::string path;  // relative, "/"-separated, no "." or ".." components
  std::string hash;  // SHA-256 hex of the file's content
  uint64_t size = 0;
  uint32_t mode = 0644;

  bool operator==(const ManifestEntry&) const = default;
};

// The manifest bytes for `entries` (sorted here by path). Deterministic.
std::string format_manifest(std::vector<ManifestEntry> entries);

// Parses and validates manifest bytes; `source` (the object's name) prefixes errors.
// Throws Error(kFormat) on anything but a well-formed, sorted, duplicate-free list.
std::vector<ManifestEntry> parse_manifest(const std::string& bytes, const std::string& source);

}  // namespace tinymlops::store

// Fast file hashing for the store: core's Sha256Stream (OpenSSL EVP, SHA
// extensions) fed from a 1 MiB read buffer.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "tinymlops/core/hash.h"

namespace tinymlops::store {

// Called with (bytes done, bytes total) while a large file is read.
using ByteProgress = std::function<void(uint64_t, uint64_t)>;

// True when `text` is 64 lower-case hexadecimal characters.
bool is_sha256_hex(std::string_view text);

// SHA-256 hex of the content of the regular file `path`. Throws Error(kIo) naming it.
std::string hash_file(const std::filesystem::path& path, const ByteProgress& progress = nullptr);

// Copies the file `source` into the open descriptor `destination_fd` (named
// `destination_name` in errors) while hashing the bytes; one read of the source.
struct HashedCopy {
  std::string hash;
  uint64_t bytes = 0;
};
HashedCopy copy_hashing(const std::filesystem::path& source, int destination_fd, const std::string& destination_name,
                        const ByteProgress& progress = nullptr);

}  // namespace tinymlops::store

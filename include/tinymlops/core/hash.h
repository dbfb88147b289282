// Content hashing (SHA-256 through OpenSSL's libcrypto).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace tinymlops {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest sha256(std::string_view bytes);

// Lower-case hexadecimal, 64 characters.
std::string to_hex(const Sha256Digest& digest);

// sha256 of a file's content, streamed. Throws Error(kIo) naming the path.
std::string sha256_file_hex(const std::filesystem::path& path);

}  // namespace tinymlops

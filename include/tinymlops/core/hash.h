// Content hashing (SHA-256 through OpenSSL's libcrypto).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace tinymlops {

using Sha256Digest = std::array<uint8_t, 32>;

// An incremental SHA-256 (OpenSSL EVP, which uses the CPU's SHA extensions when
// present). Movable, not copyable.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(Sha256Stream&&) noexcept;
  Sha256Stream& operator=(Sha256Stream&&) noexcept;

  void update(const void* data, size_t size);
  // The digest of everything updated so far. REQUIRES: called once.
  Sha256Digest finish();
  std::string finish_hex();  // to_hex(finish())

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

Sha256Digest sha256(std::string_view bytes);

// Lower-case hexadecimal, 64 characters.
std::string to_hex(const Sha256Digest& digest);

// sha256 of a file's content, streamed. Throws Error(kIo) naming the path.
std::string sha256_file_hex(const std::filesystem::path& path);

}  // namespace tinymlops

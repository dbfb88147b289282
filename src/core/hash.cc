#include "tinymlops/core/hash.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

#include "tinymlops/core/error.h"

namespace tinymlops {

struct Sha256Stream::Ctx {
  EVP_MD_CTX* md = nullptr;
  ~Ctx() { EVP_MD_CTX_free(md); }
};

Sha256Stream::Sha256Stream() : ctx_(std::make_unique<Ctx>()) {
  ctx_->md = EVP_MD_CTX_new();
  if (!ctx_->md || EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr) != 1) {
    throw Error(ErrorKind::kIo, "", "OpenSSL could not start a SHA-256 digest");
  }
}

Sha256Stream::~Sha256Stream() = default;
Sha256Stream::Sha256Stream(Sha256Stream&&) noexcept = default;
Sha256Stream& Sha256Stream::operator=(Sha256Stream&&) noexcept = default;

void Sha256Stream::update(const void* data, size_t size) { EVP_DigestUpdate(ctx_->md, data, size); }

Sha256Digest Sha256Stream::finish() {
  Sha256Digest digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx_->md, digest.data(), &length);
  return digest;
}

std::string Sha256Stream::finish_hex() { return to_hex(finish()); }

Sha256Digest sha256(std::string_view bytes) {
  Sha256Stream stream;
  stream.update(bytes.data(), bytes.size());
  return stream.finish();
}

std::string to_hex(const Sha256Digest& digest) {
  static const char* kDigits = "0123456789abcdef";
  std::string hex;
  hex.reserve(64);
  for (uint8_t byte : digest) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 15]);
  }
  return hex;
}

std::string sha256_file_hex(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(ErrorKind::kIo, path.string(), std::string("cannot open: ") + std::strerror(errno));
  }
  Sha256Stream stream;
  std::vector<char> buffer(1 << 16);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    stream.update(buffer.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) throw Error(ErrorKind::kIo, path.string(), "cannot read");
  return stream.finish_hex();
}

}  // namespace tinymlops

#include "tinymlops/core/container.h"

#include <cstring>

#include "tinymlops/core/error.h"
#include "tinymlops/core/hash.h"

namespace tinymlops {

namespace {
constexpr size_t kHeaderBytes = 24;
constexpr size_t kChecksumBytes = 32;
}  // namespace

std::string pack_container(const ContainerKind& kind, std::string_view meta, std::string_view data) {
  std::string bytes(kind.magic, 8);
  put_le(bytes, kind.version);
  put_le(bytes, static_cast<uint32_t>(meta.size()));
  put_le(bytes, static_cast<uint64_t>(data.size()));
  bytes += meta;
  bytes += data;
  const Sha256Digest digest = sha256(bytes);
  bytes.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  return bytes;
}

ContainerSections unpack_container(std::string_view bytes, const ContainerKind& kind, const std::string& source) {
  auto fail = [&](const std::string& message) { throw Error(ErrorKind::kFormat, source, message); };
  const std::string noun = kind.noun;
  if (bytes.size() < 8 || std::memcmp(bytes.data(), kind.magic, 8) != 0) {
    fail("not a tinymlops " + noun + " (bad magic)");
  }
  if (bytes.size() < kHeaderBytes + kChecksumBytes) {
    fail("truncated " + noun + " (" + std::to_string(bytes.size()) + " bytes)");
  }
  ContainerSections sections;
  sections.version = get_le<uint32_t>(bytes, 8);
  if (sections.version > kind.version) {
    fail(noun + " format version " + std::to_string(sections.version) + " is newer than this tinymlops reads (" +
         std::to_string(kind.version) + "); upgrade tinymlops");
  }
  if (sections.version == 0) fail("bad " + noun + " format version 0");
  const uint64_t meta_size = get_le<uint32_t>(bytes, 12);
  const uint64_t data_size = get_le<uint64_t>(bytes, 16);
  const uint64_t body = bytes.size() - kHeaderBytes - kChecksumBytes;
  if (meta_size > body || data_size != body - meta_size) {
    if (meta_size > body || data_size > body - meta_size) {
      fail("truncated " + noun + ": sections need " +
           std::to_string(kHeaderBytes + meta_size + data_size + kChecksumBytes) + " bytes, file has " +
           std::to_string(bytes.size()));
    }
    fail(noun + " has trailing bytes after the checksum");
  }
  const size_t checked = static_cast<size_t>(kHeaderBytes + meta_size + data_size);
  const Sha256Digest digest = sha256(bytes.substr(0, checked));
  if (std::memcmp(digest.data(), bytes.data() + checked, kChecksumBytes) != 0) {
    fail("checksum mismatch: the " + noun + " is corrupted");
  }
  sections.meta = bytes.substr(kHeaderBytes, meta_size);
  sections.data = bytes.substr(kHeaderBytes + meta_size, data_size);
  return sections;
}

}  // namespace tinymlops

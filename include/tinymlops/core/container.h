// The checksummed file container shared by tinymlops' binary files (the model
// file .tmlm, the deploy model .tdm):
//
//   offset  size  field
//   0       8     magic, e.g. "TMLMODEL"
//   8       4     format version, uint32 little-endian
//   12      4     metadata length M, uint32 LE
//   16      8     data length T, uint64 LE
//   24      M     metadata: UTF-8 JSON
//   24+M    T     data: the binary tensors the metadata refers to
//   24+M+T  32    SHA-256 of bytes [0, 24+M+T)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tinymlops {

struct ContainerKind {
  const char* magic;  // exactly 8 characters
  const char* noun;   // for errors: "model file", "deploy model"
  uint32_t version;   // written, and the newest one read
};

struct ContainerSections {
  uint32_t version = 0;
  std::string_view meta;  // views into the bytes given to unpack_container
  std::string_view data;
};

std::string pack_container(const ContainerKind& kind, std::string_view meta, std::string_view data);

// Checks magic, length, version (1..kind.version) and checksum. Throws
// Error(kFormat) at `source` for bad magic, truncation, trailing bytes, a newer
// version or a checksum mismatch.
ContainerSections unpack_container(std::string_view bytes, const ContainerKind& kind, const std::string& source);

// Little-endian integers, independent of the host's byte order.
template <typename T>
void put_le(std::string& out, T value) {
  for (size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

template <typename T>
T get_le(std::string_view bytes, size_t offset) {
  T value = 0;
  for (size_t i = 0; i < sizeof(T); ++i) {
    value |= static_cast<T>(static_cast<T>(static_cast<uint8_t>(bytes[offset + i])) << (8 * i));
  }
  return value;
}

}  // namespace tinymlops

// The model file (.tmlm): one file holding a trained Model, byte-exact and
// checksummed. Specified in docs/formats/model-file.md.
//
//   offset  size  field
//   0       8     magic "TMLMODEL"
//   8       4     format version, uint32 little-endian (this build writes 1, reads <= 1)
//   12      4     metadata length M, uint32 LE
//   16      8     tensor data length T, uint64 LE (a multiple of 4)
//   24      M     metadata: UTF-8 JSON (architecture, names, normalization, provenance)
//   24+M    T     tensor data: float32 LE values, tensors back to back in the order
//                 the metadata lists them
//   24+M+T  32    SHA-256 of bytes [0, 24+M+T)
//
// The same Model always serializes to the same bytes (JSON keys sorted, no time).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "tinymlops/nn/model.h"

namespace tinymlops {

inline constexpr uint32_t kModelFormatVersion = 1;

std::string serialize_model(Model& model);

// Parses bytes written by serialize_model. `source` names them in errors.
// Throws Error(kFormat) for a file that is not a model, truncated, corrupted
// (checksum), of a newer format version, or internally inconsistent.
Model parse_model(std::string_view bytes, const std::string& source);

// Writes atomically (core/file_io.h).
void save_model(Model& model, const std::filesystem::path& path);
Model load_model(const std::filesystem::path& path);

}  // namespace tinymlops

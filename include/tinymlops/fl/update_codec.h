// Update payloads: a client's delta as bytes, in full float32 or compressed to
// int8 with one scale per tensor (docs/federated-algorithms.md).
//
//   Layout layout = layout_of(model);
//   ErrorFeedbackEncoder encoder;                               // one per client, kept across rounds
//   std::string bytes = encoder.encode(update.delta, layout, UpdateEncoding::kInt8);
//   ... send; on the server:
//   Weights delta = decode_delta(bytes, layout, UpdateEncoding::kInt8, "update from client-7");
//
// Bytes (the protocol carries the encoding and the layout is known to both sides):
//   float32: every value as IEEE float32 little-endian, in layout order;
//            layout_size * 4 bytes.
//   int8:    for each tensor of the layout, in order: its scale s as float32 LE
//            (max|x| / 127, or 0 for an all-zero tensor), then one int8 per value,
//            q = clamp(round_half_away(x / s), -127, 127) as runtime/quant_math.h's
//            quantize_value with zero point 0. The value decodes to q * s, within
//            s / 2 of x. sum over tensors of (4 + size) bytes: ~4x smaller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tinymlops/fl/update.h"

namespace tinymlops::fl {

enum class UpdateEncoding : uint8_t { kFloat32 = 0, kInt8 = 1, kCount };

const char* encoding_name(UpdateEncoding encoding);  // "float32", "int8"
// The inverse; throws Error(kUsage) listing the names for anything else.
UpdateEncoding parse_encoding(const std::string& name);

// The bytes of `delta` under `encoding` (see the top of this file). Throws
// Error(kInvalid) when delta is not layout_size(layout) long or holds a
// non-finite value.
std::string encode_delta(const Weights& delta, const Layout& layout, UpdateEncoding encoding);

// The inverse. Throws Error(kFormat) naming `source` for a wrong length, a
// non-finite or negative scale, a non-finite float32 value, or an int8 value the
// encoder never writes (-128, or non-zero under a zero scale); never returns a
// partial result.
Weights decode_delta(std::string_view bytes, const Layout& layout, UpdateEncoding encoding,
                     const std::string& source);

// The length encode_delta returns for any delta of `layout`.
size_t encoded_size(const Layout& layout, UpdateEncoding encoding);

// Error feedback (Seide et al. 2014; Karimireddy et al. 2019): the client adds
// the residual of its previous quantization to the next delta before encoding,
// and keeps the new residual (what the server will not see of it), so
// quantization errors are sent later instead of being lost. Under float32 the
// residual stays zero.
class ErrorFeedbackEncoder {
 public:
  // encode_delta(delta + residual), and residual = (delta + residual) - decoded.
  // Throws as encode_delta; Error(kInvalid) when the layout's size changed
  // since the last call. The residual is unchanged when it throws.
  std::string encode(const Weights& delta, const Layout& layout, UpdateEncoding encoding);
  // Empty before the first encode.
  const Weights& residual() const;

 private:
  Weights residual_;
};

}  // namespace tinymlops::fl

#include "tinymlops/fl/update_codec.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "tinymlops/core/container.h"
#include "tinymlops/core/error.h"
#include "tinymlops/runtime/quant_math.h"

namespace tinymlops::fl {
namespace {

constexpr const char* kEncodingNames[] = {"float32", "int8"};
static_assert(std::size(kEncodingNames) == static_cast<size_t>(UpdateEncoding::kCount));

void put_float(std::string& out, float value) { put_le<uint32_t>(out, std::bit_cast<uint32_t>(value)); }
float get_float(std::string_view bytes, size_t offset) {
  return std::bit_cast<float>(get_le<uint32_t>(bytes, offset));
}

void check_delta(const Weights& delta, const Layout& layout) {
  const size_t size = layout_size(layout);
  if (delta.size() != size) {
    throw Error(ErrorKind::kInvalid, "", "the update has " + std::to_string(delta.size()) +
                                             " values; the layout has " + std::to_string(size));
  }
  for (size_t j = 0; j < size; ++j) {
    if (!std::isfinite(delta[j])) {
      throw Error(ErrorKind::kInvalid, "", "update value " + std::to_string(j) + " is not finite");
    }
  }
}

// The int8 scale of one tensor: max|x| / 127, or 0 when every value is 0 or the
// scale would be too small to invert (|x| < ~1e-36: below anything training makes).
float tensor_scale(const float* values, size_t size) {
  float largest = 0;
  for (size_t i = 0; i < size; ++i) largest = std::max(largest, std::fabs(values[i]));
  const float scale = largest / 127.0f;
  return std::isfinite(1.0f / scale) ? scale : 0.0f;
}

}  // namespace

const char* encoding_name(UpdateEncoding encoding) {
  const auto index = static_cast<size_t>(encoding);
  return index < std::size(kEncodingNames) ? kEncodingNames[index] : "?";
}

UpdateEncoding parse_encoding(const std::string& name) {
  if (name == kEncodingNames[0]) return UpdateEncoding::kFloat32;
  if (name == kEncodingNames[1]) return UpdateEncoding::kInt8;
  throw Error(ErrorKind::kUsage, "", "unknown update encoding '" + name + "' (known: float32, int8)");
}

size_t encoded_size(const Layout& layout, UpdateEncoding encoding) {
  if (encoding == UpdateEncoding::kFloat32) return 4 * layout_size(layout);
  size_t bytes = 0;
  for (const TensorSlice& tensor : layout) bytes += 4 + tensor.size;
  return bytes;
}

std::string encode_delta(const Weights& delta, const Layout& layout, UpdateEncoding encoding) {
  check_delta(delta, layout);
  std::string out;
  out.reserve(encoded_size(layout, encoding));
  if (encoding == UpdateEncoding::kFloat32) {
    for (float v : delta) put_float(out, v);
    return out;
  }
  for (const TensorSlice& tensor : layout) {
    const float* values = delta.data() + tensor.offset;
    const float scale = tensor_scale(values, tensor.size);
    put_float(out, scale);
    for (size_t i = 0; i < tensor.size; ++i) {
      // Symmetric: |x| <= 127 s, so q never reaches -128.
      const int8_t q = scale > 0 ? quantize_value(values[i], scale, 0) : int8_t{0};
      out.push_back(static_cast<char>(q));
    }
  }
  return out;
}

Weights decode_delta(std::string_view bytes, const Layout& layout, UpdateEncoding encoding,
                     const std::string& source) {
  const size_t expected = encoded_size(layout, encoding);
  if (bytes.size() != expected) {
    throw Error(ErrorKind::kFormat, source, std::string(encoding_name(encoding)) + " update of " +
                                                std::to_string(bytes.size()) + " bytes; the model needs " +
                                                std::to_string(expected));
  }
  Weights delta(layout_size(layout));
  if (encoding == UpdateEncoding::kFloat32) {
    for (size_t j = 0; j < delta.size(); ++j) {
      delta[j] = get_float(bytes, 4 * j);
      if (!std::isfinite(delta[j])) {
        throw Error(ErrorKind::kFormat, source, "update value " + std::to_string(j) + " is not finite");
      }
    }
    return delta;
  }
  size_t at = 0;
  for (const TensorSlice& tensor : layout) {
    const float scale = get_float(bytes, at);
    if (!std::isfinite(scale) || scale < 0) {
      throw Error(ErrorKind::kFormat, source, "tensor " + tensor.name + " has int8 scale " + std::to_string(scale) +
                                                  " (must be finite and >= 0)");
    }
    at += 4;
    for (size_t i = 0; i < tensor.size; ++i, ++at) {
      const auto q = static_cast<int8_t>(static_cast<uint8_t>(bytes[at]));
      if (q == -128 || (scale == 0 && q != 0)) {
        throw Error(ErrorKind::kFormat, source, "tensor " + tensor.name + " value " + std::to_string(i) +
                                                    " is int8 " + std::to_string(q) +
                                                    (q == -128 ? " (outside -127..127)" : " under a zero scale"));
      }
      delta[tensor.offset + i] = static_cast<float>(q) * scale;
      if (!std::isfinite(delta[tensor.offset + i])) {  // a scale above FLT_MAX / 127
        throw Error(ErrorKind::kFormat, source, "tensor " + tensor.name + " value " + std::to_string(i) +
                                                    " overflows its scale " + std::to_string(scale));
      }
    }
  }
  return delta;
}

std::string ErrorFeedbackEncoder::encode(const Weights& delta, const Layout& layout, UpdateEncoding encoding) {
  const size_t size = layout_size(layout);
  if (!residual_.empty() && residual_.size() != size) {
    throw Error(ErrorKind::kInvalid, "", "error feedback holds a residual of " + std::to_string(residual_.size()) +
                                             " values; the layout has " + std::to_string(size));
  }
  check_delta(delta, layout);
  Weights corrected = delta;
  if (!residual_.empty()) {
    for (size_t j = 0; j < size; ++j) corrected[j] += residual_[j];
  }
  std::string bytes = encode_delta(corrected, layout, encoding);
  const Weights decoded = decode_delta(bytes, layout, encoding, "error feedback");
  for (size_t j = 0; j < size; ++j) corrected[j] -= decoded[j];
  residual_ = std::move(corrected);
  return bytes;
}

const Weights& ErrorFeedbackEncoder::residual() const { return residual_; }

}  // namespace tinymlops::fl

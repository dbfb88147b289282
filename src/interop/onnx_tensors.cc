#include "interop/onnx_tensors.h"

#include <cstring>

#include "tinymlops/core/error.h"
#include <cmath>

namespace tinymlops::interop {

namespace {

using onnx::TensorProto;

int64_t element_count(const TensorProto& tensor) {
  int64_t count = 1;
  for (int64_t d : tensor.dims()) count *= d;
  return count;
}

float half_to_float(uint16_t h) {
  const uint32_t sign = (h >> 15) & 1u, exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu;
  float value;
  if (exponent == 0) value = std::ldexp(static_cast<float>(mantissa), -24);
  else if (exponent == 31) value = mantissa ? NAN : INFINITY;
  else value = std::ldexp(static_cast<float>(mantissa | 0x400u), static_cast<int>(exponent) - 25);
  return sign ? -value : value;
}

template <typename T>
std::vector<T> raw_values(const TensorProto& tensor, int64_t count, const std::string& where) {
  const std::string& raw = tensor.raw_data();
  if (raw.size() != static_cast<size_t>(count) * sizeof(T)) {
    throw Error(ErrorKind::kFormat, where,
                "tensor '" + tensor.name() + "' has " + std::to_string(raw.size()) + " bytes of data for " +
                    std::to_string(count) + " values");
  }
  std::vector<T> values(static_cast<size_t>(count));
  if (count > 0) std::memcpy(values.data(), raw.data(), raw.size());
  return values;
}

template <typename Field>
void check_count(const Field& field, int64_t count, const TensorProto& tensor, const std::string& where) {
  if (static_cast<int64_t>(field.size()) != count) {
    throw Error(ErrorKind::kFormat, where,
                "tensor '" + tensor.name() + "' has " + std::to_string(field.size()) + " values for dims of " +
                    std::to_string(count));
  }
}

}  // namespace

ConstTensor read_tensor(const TensorProto& tensor, const std::string& where) {
  if (tensor.data_location() == TensorProto::EXTERNAL) {
    throw Error(ErrorKind::kUnsupported, where, "tensor '" + tensor.name() + "' keeps its data in an external file");
  }
  ConstTensor out;
  out.dims.assign(tensor.dims().begin(), tensor.dims().end());
  out.elem_type = tensor.data_type();
  const int64_t count = element_count(tensor);
  const bool raw = tensor.has_raw_data();
  auto take = [&](const auto& values) { out.values.assign(values.begin(), values.end()); };
  switch (tensor.data_type()) {
    case TensorProto::FLOAT:
      if (raw) take(raw_values<float>(tensor, count, where));
      else check_count(tensor.float_data(), count, tensor, where), take(tensor.float_data());
      break;
    case TensorProto::DOUBLE: {
      std::vector<double> d;
      if (raw) d = raw_values<double>(tensor, count, where);
      else check_count(tensor.double_data(), count, tensor, where), d.assign(tensor.double_data().begin(), tensor.double_data().end());
      for (double v : d) out.values.push_back(static_cast<float>(v));
      break;
    }
    case TensorProto::FLOAT16: {
      std::vector<uint16_t> h;
      if (raw) h = raw_values<uint16_t>(tensor, count, where);
      else {
        check_count(tensor.int32_data(), count, tensor, where);
        for (int32_t v : tensor.int32_data()) h.push_back(static_cast<uint16_t>(v));
      }
      for (uint16_t v : h) out.values.push_back(half_to_float(v));
      break;
    }
    case TensorProto::INT8:
    case TensorProto::UINT8:
    case TensorProto::INT32:
    case TensorProto::INT64:
      for (int64_t v : read_ints(tensor, where)) out.values.push_back(static_cast<float>(v));
      break;
    default:
      throw Error(ErrorKind::kUnsupported, where,
                  "tensor '" + tensor.name() + "' has element type " + std::to_string(tensor.data_type()) +
                      " (float, double, float16 and integer tensors are read)");
  }
  return out;
}

std::vector<int64_t> read_ints(const TensorProto& tensor, const std::string& where) {
  const int64_t count = element_count(tensor);
  const bool raw = tensor.has_raw_data();
  std::vector<int64_t> out;
  auto take = [&](const auto& values) { out.assign(values.begin(), values.end()); };
  switch (tensor.data_type()) {
    case TensorProto::INT64:
      if (raw) take(raw_values<int64_t>(tensor, count, where));
      else check_count(tensor.int64_data(), count, tensor, where), take(tensor.int64_data());
      return out;
    case TensorProto::INT32:
      if (raw) take(raw_values<int32_t>(tensor, count, where));
      else check_count(tensor.int32_data(), count, tensor, where), take(tensor.int32_data());
      return out;
    case TensorProto::INT8:
      if (raw) take(raw_values<int8_t>(tensor, count, where));
      else check_count(tensor.int32_data(), count, tensor, where), take(tensor.int32_data());
      return out;
    case TensorProto::UINT8:
      if (raw) take(raw_values<uint8_t>(tensor, count, where));
      else check_count(tensor.int32_data(), count, tensor, where), take(tensor.int32_data());
      return out;
    default:
      throw Error(ErrorKind::kUnsupported, where,
                  "tensor '" + tensor.name() + "' has element type " + std::to_string(tensor.data_type()) +
                      " where integers are expected");
  }
}

std::string node_label(const onnx::NodeProto& node) {
  std::string name = node.name();
  if (name.empty() && node.output_size() > 0) name = node.output(0);
  return "node '" + name + "' (" + node.op_type() + ")";
}

const onnx::AttributeProto* find_attribute(const onnx::NodeProto& node, const std::string& name) {
  for (const auto& a : node.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

std::optional<int64_t> attribute_int(const onnx::NodeProto& node, const std::string& name) {
  const auto* a = find_attribute(node, name);
  if (!a) return std::nullopt;
  return a->i();
}

std::optional<float> attribute_float(const onnx::NodeProto& node, const std::string& name) {
  const auto* a = find_attribute(node, name);
  if (!a) return std::nullopt;
  return a->f();
}

std::optional<std::vector<int64_t>> attribute_ints(const onnx::NodeProto& node, const std::string& name) {
  const auto* a = find_attribute(node, name);
  if (!a) return std::nullopt;
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

std::optional<std::string> attribute_string(const onnx::NodeProto& node, const std::string& name) {
  const auto* a = find_attribute(node, name);
  if (!a) return std::nullopt;
  return a->s();
}

std::string list_text(const std::vector<int64_t>& values) {
  std::string text = "[";
  for (size_t i = 0; i < values.size(); ++i) text += (i ? ", " : "") + std::to_string(values[i]);
  return text + "]";
}

}  // namespace tinymlops::interop

// Reading values out of ONNX protobuf messages: tensors (raw_data or the typed
// fields) and node attributes. Errors name the node or tensor; the caller adds
// the file.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tinymlops::interop {

// A constant tensor, as float values (FLOAT, DOUBLE, FLOAT16, INT8, UINT8,
// INT32, INT64 converted) with its dims. Throws Error(kFormat) at `where` for
// a data size that does not match the dims or an element type not listed.
struct ConstTensor {
  std::vector<int64_t> dims;
  std::vector<float> values;
  int32_t elem_type = 0;  // onnx::TensorProto_DataType
};
ConstTensor read_tensor(const onnx::TensorProto& tensor, const std::string& where);

// Integer values of a constant tensor (INT64, INT32, INT8, UINT8).
std::vector<int64_t> read_ints(const onnx::TensorProto& tensor, const std::string& where);

// "node 'name' (Op)" (the output name when the node has no name).
std::string node_label(const onnx::NodeProto& node);

// Attribute lookups; nullopt when absent.
const onnx::AttributeProto* find_attribute(const onnx::NodeProto& node, const std::string& name);
std::optional<int64_t> attribute_int(const onnx::NodeProto& node, const std::string& name);
std::optional<float> attribute_float(const onnx::NodeProto& node, const std::string& name);
std::optional<std::vector<int64_t>> attribute_ints(const onnx::NodeProto& node, const std::string& name);
std::optional<std::string> attribute_string(const onnx::NodeProto& node, const std::string& name);

// "[1, 2, 3]"
std::string list_text(const std::vector<int64_t>& values);

}  // namespace tinymlops::interop

// DeployModel: the frozen form of a trained model, the only input of the
// reference engine, code generation and ONNX export.
//
// It is plain data: tensors (constants with their bytes, or activations) and a
// list of ops in execution order, each reading tensors and writing one. The ops
// are exactly the kernels of kernels/ (same layouts, same integer rule set as
// kernels/tml_common.h). Lowering (lower.h) folds batch norm, drops Flatten and
// Dropout, fuses ReLU/ReLU6 into the op before them and transposes weights into
// the kernels' layouts; compression (src/compress) then rewrites dtypes and
// quantization parameters.
//
// Invariants (checked by validate(), on load and after every transform):
//   - the graph is a chain: op i reads the output of op i-1 (op 0 the input
//     tensor), and the last op writes the output tensor;
//   - every tensor an op reads as a constant has data of exactly
//     shape-size * dtype-size bytes; activations have no data;
//   - dtypes and quantization parameters are what the op's kernel expects;
//   - an int8 op's int32 accumulator cannot overflow: for every output channel
//     |bias| + 255 * sum |w| <= 2^31 - 1 (kernels/tml_common.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "tinymlops/nn/model.h"

namespace tinymlops {

// Compressed weights (of fully-connected, conv2d and depthwise_conv2d ops, in
// their dense layouts' flat order; kernels/tml_fully_connected.h, tml_conv.h):
// kInt4: signed 4-bit weights packed two per byte, the even flat index in the
// low nibble.
// kIndex4: unsigned 4-bit indices, packed the same way, into an int8 codebook
// (clustered weights; the op's fourth input is the codebook).
// kSparse8: int8 weights stored as a bitmap of the nonzero positions (bit i % 8
// of byte i / 8) followed by the nonzero values in order (pruned weights; not
// depthwise_conv2d); its byte size depends on the values.
// kFloat16: IEEE binary16 weights of a float32 op.
// kInt16: int16x8 activations (symmetric, zero point 0; kernels/tml_common.h);
// kInt64: the biases of int16x8 ops.
enum class DType { kFloat32, kInt8, kInt32, kInt4, kIndex4, kSparse8, kFloat16, kInt16, kInt64 };
// "float32", "int8", "int32", "int4", "index4", "sparse8", "float16", "int16", "int64"
const char* dtype_name(DType dtype);
int64_t data_bytes(DType dtype, int64_t count);  // bytes of `count` values (kSparse8: the bitmap only)

struct DeployTensor {
  std::string name;
  DType dtype = DType::kFloat32;
  std::vector<int> shape;
  // int8, int16, int32 and int64: real = scale * (q - zero_point). One scale
  // per tensor, or (weights and biases) one per output channel. int16 and
  // int64 (int16x8) are symmetric: zero point 0.
  std::vector<float> scales;
  int32_t zero_point = 0;
  std::string data;  // constants: little-endian values; empty for activations

  int64_t size() const;  // number of values
  bool is_constant() const { return !data.empty(); }
};

enum class OpKind {
  kQuantize,         // float32 -> int8 or int16 with the output's scale and zero point
  kDequantize,       // int8 or int16 -> float32
  kFullyConnected,   // inputs: x, weights [out][in], bias [out] (, codebook [K] for index4 weights)
  kConv2D,           // inputs: x, weights [F][KH][KW][C], bias [F] (, codebook)
  kDepthwiseConv2D,  // inputs: x, weights [KH][KW][C*M], bias [C*M] (, codebook)
  kMaxPool,
  kAvgPool,
  kActivation,       // float32 element-wise function
  kLookup,           // integer element-wise function (built from `activation`): int8 as a
                     // 256-entry table, int16 as a 513-entry interpolated one
  kSoftmax,          // float32
  kCount,
};
const char* op_kind_name(OpKind kind);
// FullyConnected, Conv2D and DepthwiseConv2D: the ops whose inputs[1] is a weight tensor.
bool op_has_weights(OpKind kind);
// MaxPool and AvgPool.
bool is_pooling(OpKind kind);

// Activation functions, numbered as kernels/tml_activation.h's tml_activation.
enum class DeployActivation { kLinear = 0, kRelu, kRelu6, kLeakyRelu, kElu, kSigmoid, kTanh, kSoftplus, kSwish };
const char* deploy_activation_name(DeployActivation activation);

struct DeployOp {
  OpKind kind = OpKind::kFullyConnected;
  std::vector<int> inputs;  // tensor indices; inputs[0] is the activation input
  int output = -1;
  // Convolutions and pooling over images {H, W, C} (a sequence is H = 1).
  int kernel_h = 0, kernel_w = 0, stride_h = 1, stride_w = 1, pad_top = 0, pad_left = 0;
  // kActivation / kLookup: the function; for FC and convolutions: the fused
  // activation (only kLinear, kRelu or kRelu6).
  DeployActivation activation = DeployActivation::kLinear;
  float alpha = 0;  // LeakyReLU slope, ELU scale
};

struct DeployModel {
  std::vector<DeployTensor> tensors;
  std::vector<DeployOp> ops;
  int input = -1, output = -1;  // tensor indices; the input is float32 (normalized values)

  // Task, names, normalization, window and provenance, as for the trained model;
  // compression adds what it did under provenance.
  ModelMetadata metadata;
  // "float32", "int8", ...: how the weights are stored.
  std::string variant = "float32";

  // Throws Error(kInvalid) at `where` naming the op or tensor that breaks an
  // invariant above.
  void validate(const std::string& where) const;

  int add_tensor(DeployTensor tensor);  // returns its index
  int64_t input_size() const;
  int64_t output_size() const;
  // Bytes of constant data (weights, biases, tables) by dtype.
  int64_t constant_bytes() const;
  int64_t macs() const;
  int64_t op_macs(size_t op) const;
};

// The .tdm file: core/container.h with magic "TMLDEPLY"; docs/formats/deploy-model.md.
// Version 2 added the int16 and int64 dtypes (int16x8); version 3 compressed
// convolution weights (int4, index4, sparse8, float16 or weight-only int8 on
// conv2d / depthwise_conv2d). A model is written with the oldest version that
// can hold it (deploy_format_version), so older builds keep reading what they
// can run and refuse the rest as "newer".
inline constexpr uint32_t kDeployFormatVersion = 3;
uint32_t deploy_format_version(const DeployModel& model);
std::string serialize_deploy_model(const DeployModel& model);
// Throws Error(kFormat) for a file that is not a deploy model, truncated,
// corrupted, newer, or that fails validate().
DeployModel parse_deploy_model(std::string_view bytes, const std::string& source);
void save_deploy_model(const DeployModel& model, const std::filesystem::path& path);
DeployModel load_deploy_model(const std::filesystem::path& path);

// Typed views of a constant's data (REQUIRES matching dtype; little-endian host).
std::vector<float> tensor_floats(const DeployTensor& tensor);
std::vector<int8_t> tensor_int8(const DeployTensor& tensor);  // int8, or int4/index4/sparse8 unpacked
std::vector<int32_t> tensor_int32(const DeployTensor& tensor);
std::vector<int64_t> tensor_int64(const DeployTensor& tensor);
std::string bytes_of(const std::vector<float>& values);
std::string bytes_of(const std::vector<int64_t>& values);
std::string bytes_of(const std::vector<int8_t>& values);
std::string bytes_of(const std::vector<int32_t>& values);
std::string sparse_int8(const std::vector<int8_t>& values);  // the kSparse8 bytes of dense values
std::string packed_int4(const std::vector<int8_t>& values);  // REQUIRES values in [-8, 7] (or index4 in [0, 15])

}  // namespace tinymlops

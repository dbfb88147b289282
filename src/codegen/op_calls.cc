// The per-op part of a generated <name>.c file (op_calls.h): constant tensors,
// kernel parameters, and the kernel call of each op as C text.
#include "codegen/op_calls.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <set>
#include <sstream>
#include <vector>

#include "codegen/c_literals.h"
#include "tinymlops/codegen/c_emitter.h"
#include "tinymlops/core/error.h"
#include "tinymlops/runtime/quant_math.h"

namespace tinymlops::codegen {

namespace {

// Whether `kernel` takes an argument of kind `arg`.
bool kernel_takes(const KernelEntry& kernel, KernelArg arg) {
  return std::find(kernel.args.begin(), kernel.args.end(), arg) != kernel.args.end();
}

// The C element type of an activation of `dtype` (float for the rest).
const char* activation_c_type(DType dtype) {
  switch (dtype) {
    case DType::kInt8: return "int8_t";
    case DType::kInt16: return "int16_t";
    default: return "float";
  }
}

}  // namespace

std::string OpCallWriter::constants_and_ops() const {
  std::ostringstream out;
  std::set<int> written;
  for (size_t i = 0; i < model_.ops.size(); ++i) {
    const DeployOp& op = model_.ops[i];
    for (size_t k = 1; k < op.inputs.size(); ++k) {
      if (written.insert(op.inputs[k]).second) out << constant(op.inputs[k]);
    }
    out << op_parameters(i);
  }
  for (size_t i = 0; i < model_.ops.size(); ++i) out << op_function(i);
  return out.str();
}

std::string OpCallWriter::activation(int tensor, const char* type) const {
  return "(" + std::string(type) + "*)(" + name_ + "_arena.bytes + " +
         std::to_string(plan_.placement_of(tensor).offset) + ")";
}

std::string OpCallWriter::symbol(int tensor) const { return name_ + "_t" + std::to_string(tensor); }

std::string OpCallWriter::op_symbol(size_t op, const char* what) const {
  return name_ + "_op" + std::to_string(op) + "_" + what;
}

std::string OpCallWriter::constant(int index) const {
  const DeployTensor& t = model_.tensors[static_cast<size_t>(index)];
  const std::string where = "tensor " + t.name;
  std::ostringstream out;
  out << "/* " << t.name << ": " << dtype_name(t.dtype) << " [";
  for (size_t d = 0; d < t.shape.size(); ++d) out << (d ? "x" : "") << t.shape[d];
  out << "] */\n";
  switch (t.dtype) {
    case DType::kFloat32: {
      const std::vector<float> v = tensor_floats(t);
      out << "static const float " << symbol(index) << "[" << v.size() << "] TML_CONST = {"
          << initializer(v, [&](float x) { return c_float_literal(x, where); }) << "};\n";
      break;
    }
    case DType::kInt8: {
      const std::vector<int8_t> v = tensor_int8(t);
      out << "static const int8_t " << symbol(index) << "[" << v.size() << "] TML_CONST = {"
          << initializer(v, [](int8_t x) { return std::to_string(x); }) << "};\n";
      break;
    }
    case DType::kInt32: {
      const std::vector<int32_t> v = tensor_int32(t);
      out << "static const int32_t " << symbol(index) << "[" << v.size() << "] TML_CONST = {"
          << initializer(v, [](int32_t x) { return int_literal(x); }) << "};\n";
      break;
    }
    case DType::kInt16: {
      std::vector<int16_t> v(t.data.size() / 2);
      std::memcpy(v.data(), t.data.data(), t.data.size());
      out << "static const int16_t " << symbol(index) << "[" << v.size() << "] TML_CONST = {"
          << initializer(v, [](int16_t x) { return std::to_string(x); }) << "};\n";
      break;
    }
    case DType::kInt64: {
      std::vector<int64_t> v(t.data.size() / 8);
      std::memcpy(v.data(), t.data.data(), t.data.size());
      out << "static const int64_t " << symbol(index) << "[" << v.size() << "] TML_CONST = {"
          << initializer(v, [](int64_t x) { return "INT64_C(" + std::to_string(x) + ")"; }) << "};\n";
      break;
    }
    case DType::kFloat16: {
      std::vector<uint16_t> v(t.data.size() / 2);
      for (size_t i = 0; i < v.size(); ++i) {
        v[i] = static_cast<uint16_t>(static_cast<uint8_t>(t.data[2 * i]) |
                                     (static_cast<uint8_t>(t.data[2 * i + 1]) << 8));
      }
      out << "static const uint16_t " << symbol(index) << "[" << v.size() << "] TML_CONST = {"
          << initializer(v, [](uint16_t x) { return std::to_string(x); }) << "};\n";
      break;
    }
    case DType::kInt4:
    case DType::kIndex4:
    case DType::kSparse8: {  // packed bytes as they are stored
      const std::vector<uint8_t> v(t.data.begin(), t.data.end());
      out << "static const uint8_t " << symbol(index) << "[" << v.size() << "] TML_CONST = {"
          << initializer(v, [](uint8_t x) { return std::to_string(x); }) << "};\n";
      break;
    }
  }
  // Weight-only int8 weights of a float op carry their per-channel scales.
  if (t.dtype == DType::kInt8 && !t.scales.empty() && has_weight_scales(index)) {
    out << "static const float " << symbol(index) << "_scales[" << t.scales.size() << "] TML_CONST = {"
        << initializer(t.scales, [&](float x) { return c_float_literal(x, where); }) << "};\n";
  }
  return out.str() + "\n";
}

bool OpCallWriter::has_weight_scales(int index) const {
  for (const DeployOp& op : model_.ops) {
    if (op.inputs.size() > 1 && op.inputs[1] == index &&
        kernel_takes(select_kernel(model_, op, kernel_features_), KernelArg::kWeightScales)) {
      return true;
    }
  }
  return false;
}

std::string OpCallWriter::op_parameters(size_t i) const {
  const DeployOp& op = model_.ops[i];
  const KernelEntry& kernel = select_kernel(model_, op, kernel_features_);
  std::ostringstream out;
  const DeployTensor& x = model_.tensors[static_cast<size_t>(op.inputs[0])];
  const DeployTensor& y = model_.tensors[static_cast<size_t>(op.output)];
  if (kernel_takes(kernel, KernelArg::kRequant)) {
    // Per output channel, as the kernels read them (tml_load_requant): the
    // multiplier and the shift packed in one int32 (4 bytes a channel).
    const std::vector<int32_t> requant = op_requant_packed(model_, op);
    out << "static const int32_t " << op_symbol(i, "requant") << "[" << requant.size() << "] TML_CONST = {"
        << initializer(requant, [](int32_t m) { return int_literal(m); }) << "};\n";
  }
  if (kernel_takes(kernel, KernelArg::kQ16Params)) {
    const tml_q16_params q = op_q16_params(model_, op);
    out << "static const tml_q16_params " << op_symbol(i, "q16") << " TML_CONST = {" << q.act_min << ", "
        << q.act_max << "};\n";
  }
  if (kernel_takes(kernel, KernelArg::kQ8Params)) {
    const tml_q8_params q = op_q8_params(model_, op);
    out << "static const tml_q8_params " << op_symbol(i, "q8") << " TML_CONST = {" << q.input_zero_point << ", "
        << q.output_zero_point << ", " << q.act_min << ", " << q.act_max << "};\n";
  }
  if (kernel_takes(kernel, KernelArg::kShape) && is_pooling(op.kind)) {
    out << "static const tml_pool_shape " << op_symbol(i, "shape") << " = {" << x.shape[0] << ", " << x.shape[1]
        << ", " << x.shape[2] << ", " << y.shape[0] << ", " << y.shape[1] << ", " << op.kernel_h << ", "
        << op.kernel_w << ", " << op.stride_h << ", " << op.stride_w << "};\n";
  } else if (kernel_takes(kernel, KernelArg::kShape)) {
    out << "static const tml_conv_shape " << op_symbol(i, "shape") << " = {" << x.shape[0] << ", " << x.shape[1]
        << ", " << x.shape[2] << ", " << y.shape[0] << ", " << y.shape[1] << ", " << y.shape[2] << ", "
        << op.kernel_h << ", " << op.kernel_w << ", " << op.stride_h << ", " << op.stride_w << ", "
        << op.pad_top << ", " << op.pad_left << "};\n";
  }
  if (kernel_takes(kernel, KernelArg::kTable) && x.dtype == DType::kInt16) {
    const std::vector<int16_t> table = lookup_table_s16(model_, op);
    out << "static const int16_t " << op_symbol(i, "table") << "[" << table.size() << "] TML_CONST = {"
        << initializer(table, [](int16_t v) { return std::to_string(v); }) << "};\n";
  } else if (kernel_takes(kernel, KernelArg::kTable)) {
    const std::array<int8_t, 256> table = lookup_table(model_, op);
    out << "static const int8_t " << op_symbol(i, "table") << "[256] TML_CONST = {"
        << initializer(std::vector<int8_t>(table.begin(), table.end()),
                       [](int8_t v) { return std::to_string(v); })
        << "};\n";
  }
  return out.str().empty() ? "" : out.str() + "\n";
}

std::string OpCallWriter::argument(KernelArg arg, size_t i) const {
  const DeployOp& op = model_.ops[i];
  const DeployTensor& x = model_.tensors[static_cast<size_t>(op.inputs[0])];
  const DeployTensor& y = model_.tensors[static_cast<size_t>(op.output)];
  const std::string where = "op " + std::to_string(i);
  float low = 0, high = 0;
  float_clamp(op.activation, &low, &high);
  switch (arg) {
    case KernelArg::kInput:
      return activation(op.inputs[0], ("const " + std::string(activation_c_type(x.dtype))).c_str());
    case KernelArg::kOutput: return activation(op.output, activation_c_type(y.dtype));
    case KernelArg::kCount: return std::to_string(x.size());
    case KernelArg::kOutputCount: return std::to_string(y.size());
    case KernelArg::kShape: return "&" + op_symbol(i, "shape");
    case KernelArg::kWeights: return symbol(op.inputs[1]);
    case KernelArg::kSparseValues:
      return "(const int8_t*)(" + symbol(op.inputs[1]) + " + " +
             std::to_string(data_bytes(DType::kSparse8, model_.tensors[static_cast<size_t>(op.inputs[1])].size())) +
             ")";
    case KernelArg::kWeightScales: return symbol(op.inputs[1]) + "_scales";
    case KernelArg::kCodebook: return symbol(op.inputs[3]);
    case KernelArg::kBias: return symbol(op.inputs[2]);
    case KernelArg::kRequant: return op_symbol(i, "requant");
    case KernelArg::kQ8Params: return "&" + op_symbol(i, "q8");
    case KernelArg::kQ16Params: return "&" + op_symbol(i, "q16");
    case KernelArg::kClampLow: return c_float_literal(low, where);
    case KernelArg::kClampHigh: return c_float_literal(high, where);
    case KernelArg::kOutputInverseScale: return c_float_literal(1.0f / y.scales[0], where);
    case KernelArg::kOutputZeroPoint: return std::to_string(y.zero_point);
    case KernelArg::kInputScale: return c_float_literal(x.scales[0], where);
    case KernelArg::kInputZeroPoint: return std::to_string(x.zero_point);
    case KernelArg::kActivation: return "(tml_activation)" + std::to_string(static_cast<int>(op.activation));
    case KernelArg::kAlpha: return c_float_literal(op.alpha, where);
    case KernelArg::kTable: return op_symbol(i, "table");
  }
  throw Error(ErrorKind::kInvalid, where, "bad kernel argument");
}

std::string OpCallWriter::call(size_t i) const {
  const KernelEntry& kernel = select_kernel(model_, model_.ops[i], kernel_features_);
  std::string text = std::string(kernel.function) + "(";
  for (size_t a = 0; a < kernel.args.size(); ++a) text += (a ? ", " : "") + argument(kernel.args[a], i);
  return text + ");";
}

std::string OpCallWriter::op_function(size_t i) const {
  const DeployOp& op = model_.ops[i];
  return "/* op " + std::to_string(i) + ": " + op_kind_name(op.kind) + " */\nstatic void " + name_ + "_op" +
         std::to_string(i) + "(void) { " + call(i) + " }\n\n";
}

}  // namespace tinymlops::codegen

#include "tinymlops/codegen/c_emitter.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <sstream>

#include "tinymlops/core/error.h"
#include "tinymlops/core/hash.h"
#include "tinymlops/core/version.h"
#include "tinymlops/runtime/quant_math.h"

namespace tinymlops {

namespace {

std::string int_literal(int64_t value) {
  if (value == INT32_MIN) return "(-2147483647 - 1)";
  return std::to_string(value);
}

// Values as the body of a C array initializer, 16 per line.
template <typename T, typename Format>
std::string initializer(const std::vector<T>& values, Format format) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    out += (i % 16 == 0) ? "\n  " : " ";
    out += format(values[i]) + ",";
  }
  return out + "\n";
}

std::string string_literal(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
      continue;
    }
    out += c;
  }
  return out + "\"";
}

// The kernel files an op needs.
void add_kernel_files(const DeployOp& op, std::set<std::string>& files) {
  switch (op.kind) {
    case OpKind::kQuantize:
    case OpKind::kDequantize: files.insert({"tml_quantize.h", "tml_quantize.c"}); return;
    case OpKind::kFullyConnected: files.insert({"tml_fully_connected.h", "tml_fully_connected.c"}); return;
    case OpKind::kConv2D:
    case OpKind::kDepthwiseConv2D: files.insert({"tml_conv.h", "tml_conv.c"}); return;
    case OpKind::kMaxPool:
    case OpKind::kAvgPool: files.insert({"tml_pool.h", "tml_pool.c"}); return;
    case OpKind::kLookup: files.insert({"tml_activation.h", "tml_activation.c"}); return;
    case OpKind::kActivation:
    case OpKind::kSoftmax: files.insert({"tml_activation.h", "tml_activation_f32.c"}); return;
    case OpKind::kCount: return;
  }
}

// Writes one model's .c file; names every symbol `<name>_...`.
class SourceWriter {
 public:
  SourceWriter(const DeployModel& model, const MemoryPlan& plan, const std::string& name)
      : model_(model), plan_(plan), name_(name) {}

  // The constant tensors and per-op parameters, then one static function per op.
  std::string constants_and_ops() {
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

  // "(float*)(m_arena.bytes + 64)": the arena address of an activation tensor.
  std::string activation(int tensor, const char* type) const {
    return "(" + std::string(type) + "*)(" + name_ + "_arena.bytes + " +
           std::to_string(plan_.placement_of(tensor).offset) + ")";
  }

 private:
  std::string symbol(int tensor) const { return name_ + "_t" + std::to_string(tensor); }
  std::string op_symbol(size_t op, const char* what) const {
    return name_ + "_op" + std::to_string(op) + "_" + what;
  }

  // "m_op3_requant": the kernels' requantization argument.
  std::string requant_arguments(size_t op) const { return op_symbol(op, "requant"); }

  std::string constant(int index) const {
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
    if (t.dtype == DType::kInt8 && !t.scales.empty() && is_float_op_weight(index)) {
      out << "static const float " << symbol(index) << "_scales[" << t.scales.size() << "] TML_CONST = {"
          << initializer(t.scales, [&](float x) { return c_float_literal(x, where); }) << "};\n";
    }
    return out.str() + "\n";
  }

  bool is_float_op_weight(int index) const {
    for (const DeployOp& op : model_.ops) {
      if (op.inputs.size() > 1 && op.inputs[1] == index && input_dtype(op) == DType::kFloat32) return true;
    }
    return false;
  }

  DType input_dtype(const DeployOp& op) const { return model_.tensors[static_cast<size_t>(op.inputs[0])].dtype; }

  bool has_weights(const DeployOp& op) const {
    return op.kind == OpKind::kFullyConnected || op.kind == OpKind::kConv2D || op.kind == OpKind::kDepthwiseConv2D;
  }

  std::string op_parameters(size_t i) const {
    const DeployOp& op = model_.ops[i];
    std::ostringstream out;
    const DeployTensor& x = model_.tensors[static_cast<size_t>(op.inputs[0])];
    const DeployTensor& y = model_.tensors[static_cast<size_t>(op.output)];
    if (has_weights(op) && (x.dtype == DType::kInt8 || x.dtype == DType::kInt16)) {
      // Per output channel, as the kernels read them (tml_load_requant): the
      // multiplier and the shift packed in one int32 (4 bytes a channel).
      const std::vector<int32_t> requant = op_requant_packed(model_, op);
      out << "static const int32_t " << op_symbol(i, "requant") << "[" << requant.size() << "] TML_CONST = {"
          << initializer(requant, [](int32_t m) { return int_literal(m); }) << "};\n";
      if (x.dtype == DType::kInt16) {
        const tml_q16_params q = op_q16_params(model_, op);
        out << "static const tml_q16_params " << op_symbol(i, "q16") << " TML_CONST = {" << q.act_min << ", "
            << q.act_max << "};\n";
      } else {
        const tml_q8_params q = op_q8_params(model_, op);
        out << "static const tml_q8_params " << op_symbol(i, "q8") << " TML_CONST = {" << q.input_zero_point << ", "
            << q.output_zero_point << ", " << q.act_min << ", " << q.act_max << "};\n";
      }
    }
    if (op.kind == OpKind::kConv2D || op.kind == OpKind::kDepthwiseConv2D) {
      out << "static const tml_conv_shape " << op_symbol(i, "shape") << " = {" << x.shape[0] << ", " << x.shape[1]
          << ", " << x.shape[2] << ", " << y.shape[0] << ", " << y.shape[1] << ", " << y.shape[2] << ", "
          << op.kernel_h << ", " << op.kernel_w << ", " << op.stride_h << ", " << op.stride_w << ", "
          << op.pad_top << ", " << op.pad_left << "};\n";
    }
    if (op.kind == OpKind::kMaxPool || op.kind == OpKind::kAvgPool) {
      out << "static const tml_pool_shape " << op_symbol(i, "shape") << " = {" << x.shape[0] << ", " << x.shape[1]
          << ", " << x.shape[2] << ", " << y.shape[0] << ", " << y.shape[1] << ", " << op.kernel_h << ", "
          << op.kernel_w << ", " << op.stride_h << ", " << op.stride_w << "};\n";
    }
    if (op.kind == OpKind::kLookup && x.dtype == DType::kInt16) {
      const std::vector<int16_t> table = lookup_table_s16(model_, op);
      out << "static const int16_t " << op_symbol(i, "table") << "[" << table.size() << "] TML_CONST = {"
          << initializer(table, [](int16_t v) { return std::to_string(v); }) << "};\n";
    } else if (op.kind == OpKind::kLookup) {
      const std::array<int8_t, 256> table = lookup_table(model_, op);
      out << "static const int8_t " << op_symbol(i, "table") << "[256] TML_CONST = {"
          << initializer(std::vector<int8_t>(table.begin(), table.end()),
                         [](int8_t v) { return std::to_string(v); })
          << "};\n";
    }
    return out.str().empty() ? "" : out.str() + "\n";
  }

  // The kernel call of an int16x8 op (engine.cc's run_int16_op).
  std::string call_s16(size_t i) const {
    const DeployOp& op = model_.ops[i];
    const DeployTensor& x = model_.tensors[static_cast<size_t>(op.inputs[0])];
    const DeployTensor& y = model_.tensors[static_cast<size_t>(op.output)];
    const std::string where = "op " + std::to_string(i);
    const std::string count = std::to_string(x.size());
    const std::string in = activation(op.inputs[0], "const int16_t");
    const std::string out = activation(op.output, "int16_t");
    const std::string w = op.inputs.size() > 1 ? symbol(op.inputs[1]) : "";
    const std::string b = op.inputs.size() > 2 ? symbol(op.inputs[2]) : "0";
    const std::string tail = requant_arguments(i) + ", &" + op_symbol(i, "q16") + ", " + out + ");";
    const std::string shape = "&" + op_symbol(i, "shape");
    switch (op.kind) {
      case OpKind::kQuantize:
        return "tml_quantize_s16(" + activation(op.inputs[0], "const float") + ", " + count + ", " +
               c_float_literal(1.0f / y.scales[0], where) + ", " + out + ");";
      case OpKind::kDequantize:
        return "tml_dequantize_s16(" + in + ", " + count + ", " + c_float_literal(x.scales[0], where) + ", " +
               activation(op.output, "float") + ");";
      case OpKind::kFullyConnected:
        return "tml_fully_connected_s16(" + in + ", " + count + ", " + w + ", " + b + ", " +
               std::to_string(y.size()) + ", " + tail;
      case OpKind::kConv2D:
        return "tml_conv2d_s16(" + in + ", " + shape + ", " + w + ", " + b + ", " + tail;
      case OpKind::kDepthwiseConv2D:
        return "tml_depthwise_conv2d_s16(" + in + ", " + shape + ", " + w + ", " + b + ", " + tail;
      case OpKind::kMaxPool: return "tml_max_pool_s16(" + in + ", " + shape + ", " + out + ");";
      case OpKind::kAvgPool: return "tml_avg_pool_s16(" + in + ", " + shape + ", " + out + ");";
      case OpKind::kLookup:
        return "tml_lookup_s16(" + in + ", " + count + ", " + op_symbol(i, "table") + ", " + out + ");";
      default: break;
    }
    throw Error(ErrorKind::kInvalid, where, std::string("no int16 kernel for ") + op_kind_name(op.kind));
  }

  bool is_int16_op(const DeployOp& op) const {
    return input_dtype(op) == DType::kInt16 ||
           (op.kind == OpKind::kQuantize && model_.tensors[static_cast<size_t>(op.output)].dtype == DType::kInt16);
  }

  // The kernel call of op i (as the reference engine makes it, engine.cc).
  std::string call(size_t i) const {
    const DeployOp& op = model_.ops[i];
    if (is_int16_op(op)) return call_s16(i);
    const DeployTensor& x = model_.tensors[static_cast<size_t>(op.inputs[0])];
    const DeployTensor& y = model_.tensors[static_cast<size_t>(op.output)];
    const std::string where = "op " + std::to_string(i);
    const bool int8 = x.dtype == DType::kInt8;
    const std::string count = std::to_string(x.size());
    const std::string f32_in = activation(op.inputs[0], "const float");
    const std::string s8_in = activation(op.inputs[0], "const int8_t");
    const std::string f32_out = activation(op.output, "float");
    const std::string s8_out = activation(op.output, "int8_t");
    const std::string w = op.inputs.size() > 1 ? symbol(op.inputs[1]) : "";
    const std::string b = op.inputs.size() > 2 ? symbol(op.inputs[2]) : "0";
    const std::string requant = requant_arguments(i);
    const std::string q8 = "&" + op_symbol(i, "q8");
    const std::string shape = "&" + op_symbol(i, "shape");
    const std::string outputs = std::to_string(y.size());
    float low = 0, high = 0;
    float_clamp(op.activation, &low, &high);
    const std::string clamp = c_float_literal(low, where) + ", " + c_float_literal(high, where);
    switch (op.kind) {
      case OpKind::kQuantize:
        return "tml_quantize_s8(" + f32_in + ", " + count + ", " + c_float_literal(1.0f / y.scales[0], where) + ", " +
               std::to_string(y.zero_point) + ", " + s8_out + ");";
      case OpKind::kDequantize:
        return "tml_dequantize_s8(" + s8_in + ", " + count + ", " + c_float_literal(x.scales[0], where) + ", " +
               std::to_string(x.zero_point) + ", " + f32_out + ");";
      case OpKind::kFullyConnected: {
        const DeployTensor& weights = model_.tensors[static_cast<size_t>(op.inputs[1])];
        if (int8 && op.inputs.size() == 4) {
          return "tml_fully_connected_codebook_s8(" + s8_in + ", " + count + ", " + w + ", " + symbol(op.inputs[3]) +
                 ", " + b + ", " + outputs + ", " + requant + ", " + q8 + ", " + s8_out + ");";
        }
        if (int8 && weights.dtype == DType::kSparse8) {
          return "tml_fully_connected_sparse_s8(" + s8_in + ", " + count + ", " + w + ", (const int8_t*)(" + w +
                 " + " + std::to_string(data_bytes(DType::kSparse8, weights.size())) + "), " + b + ", " + outputs +
                 ", " + requant + ", " + q8 + ", " + s8_out + ");";
        }
        if (int8 && weights.dtype == DType::kInt4) {
          return "tml_fully_connected_s4(" + s8_in + ", " + count + ", " + w + ", " + b + ", " + outputs + ", " +
                 requant + ", " + q8 + ", " + s8_out + ");";
        }
        if (int8) {
          return "tml_fully_connected_s8(" + s8_in + ", " + count + ", " + w + ", " + b + ", " + outputs + ", " +
                 requant + ", " + q8 + ", " + s8_out + ");";
        }
        if (weights.dtype == DType::kFloat16) {
          return "tml_fully_connected_f16w(" + f32_in + ", " + count + ", " + w + ", " + b + ", " + outputs + ", " +
                 clamp + ", " + f32_out + ");";
        }
        if (weights.dtype == DType::kInt8) {
          return "tml_fully_connected_w8(" + f32_in + ", " + count + ", " + w + ", " + w + "_scales, " + b + ", " +
                 outputs + ", " + clamp + ", " + f32_out + ");";
        }
        return "tml_fully_connected_f32(" + f32_in + ", " + count + ", " + w + ", " + b + ", " + outputs + ", " +
               clamp + ", " + f32_out + ");";
      }
      case OpKind::kConv2D:
      case OpKind::kDepthwiseConv2D: {
        const std::string kernel = op.kind == OpKind::kConv2D ? "tml_conv2d" : "tml_depthwise_conv2d";
        const DeployTensor& weights = model_.tensors[static_cast<size_t>(op.inputs[1])];
        if (int8) {
          const std::string tail = b + ", " + requant + ", " + q8 + ", " + s8_out + ");";
          switch (weights.dtype) {
            case DType::kInt4: return kernel + "_s4(" + s8_in + ", " + shape + ", " + w + ", " + tail;
            case DType::kIndex4:
              return kernel + "_codebook_s8(" + s8_in + ", " + shape + ", " + w + ", " + symbol(op.inputs[3]) + ", " +
                     tail;
            case DType::kSparse8:  // Conv2D only (validate)
              return kernel + "_sparse_s8(" + s8_in + ", " + shape + ", " + w + ", (const int8_t*)(" + w + " + " +
                     std::to_string(data_bytes(DType::kSparse8, weights.size())) + "), " + tail;
            default: return kernel + "_s8(" + s8_in + ", " + shape + ", " + w + ", " + tail;
          }
        }
        const std::string tail = b + ", " + clamp + ", " + f32_out + ");";
        if (weights.dtype == DType::kFloat16) return kernel + "_f16w(" + f32_in + ", " + shape + ", " + w + ", " + tail;
        if (weights.dtype == DType::kInt8) {
          return kernel + "_w8(" + f32_in + ", " + shape + ", " + w + ", " + w + "_scales, " + tail;
        }
        return kernel + "_f32(" + f32_in + ", " + shape + ", " + w + ", " + tail;
      }
      case OpKind::kMaxPool:
      case OpKind::kAvgPool: {
        const std::string kernel = op.kind == OpKind::kMaxPool ? "tml_max_pool" : "tml_avg_pool";
        if (int8) return kernel + "_s8(" + s8_in + ", " + shape + ", " + s8_out + ");";
        return kernel + "_f32(" + f32_in + ", " + shape + ", " + f32_out + ");";
      }
      case OpKind::kActivation:
        return "tml_activation_f32(" + f32_in + ", " + count + ", (tml_activation)" +
               std::to_string(static_cast<int>(op.activation)) + ", " + c_float_literal(op.alpha, where) + ", " +
               f32_out + ");";
      case OpKind::kLookup:
        return "tml_lookup_s8(" + s8_in + ", " + count + ", " + op_symbol(i, "table") + ", " + s8_out + ");";
      case OpKind::kSoftmax:
        return "tml_softmax_f32(" + f32_in + ", " + count + ", " + f32_out + ");";
      case OpKind::kCount:
        break;
    }
    throw Error(ErrorKind::kInvalid, where, "bad op kind");
  }

  std::string op_function(size_t i) const {
    const DeployOp& op = model_.ops[i];
    return "/* op " + std::to_string(i) + ": " + op_kind_name(op.kind) + " */\nstatic void " + name_ + "_op" +
           std::to_string(i) + "(void) { " + call(i) + " }\n\n";
  }

  const DeployModel& model_;
  const MemoryPlan& plan_;
  const std::string& name_;
};

// Index of the first kDequantize op, or -1 (a model with no int8 section).
int dequantize_index(const DeployModel& model) {
  if (model.ops.empty() || model.ops[0].kind != OpKind::kQuantize) return -1;
  for (size_t i = 1; i < model.ops.size(); ++i) {
    if (model.ops[i].kind == OpKind::kDequantize) return static_cast<int>(i);
  }
  return -1;
}

std::string header_comment(const DeployModel& model, const EmitOptions& options, const std::string& sha) {
  std::string text = "/* Generated by tinymlops " + std::string(kLibraryVersion) + "; do not edit.\n";
  if (!options.source.empty()) text += " * Model:   " + options.source + "\n";
  text += " * SHA-256: " + sha + " (deploy model, variant " + model.variant + ")\n";
  if (!options.command.empty()) text += " * Command: " + options.command + "\n";
  return text + " */\n";
}

// The shortest C float literal that reads back as exactly `value` (finite): "0.7f",
// where c_float_literal writes all nine digits ("0.699999988f"). For values a person
// typed, such as the offload threshold.
std::string short_float_literal(float value) {
  char text[32];
  for (int digits = 1; digits <= 9; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, static_cast<double>(value));
    if (std::strtof(text, nullptr) == value) break;
  }
  std::string literal = text;
  if (literal.find_first_of(".e") == std::string::npos) literal += ".0";
  return literal + "f";
}

std::string emit_header(const DeployModel& model, const EmitOptions& options, const GeneratedCode& code,
                        const DeployTensor* int_in, const DeployTensor* int_out) {
  const std::string& n = code.name;
  const std::string N = c_macro_prefix(n);
  const std::string bits = std::to_string(code.integer_bits);
  const std::string type = "int" + bits + "_t";
  std::ostringstream h;
  h << header_comment(model, options, code.model_sha256);
  h << "#ifndef " << N << "_H\n#define " << N << "_H\n\n#include <stdint.h>\n\n";
  h << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  h << "#define " << N << "_INPUT_SIZE " << model.input_size() << "\n";
  h << "#define " << N << "_OUTPUT_SIZE " << model.output_size() << "\n";
  h << "#define " << N << "_ARENA_BYTES " << code.plan.arena_bytes << "\n";
  h << "#define " << N << "_MODEL_SHA256 " << string_literal(code.model_sha256) << "\n";
  h << "#define " << N << "_TOOL_VERSION " << string_literal(kLibraryVersion) << "\n";
  h << "#define " << N << "_VARIANT " << string_literal(model.variant) << "\n";
  h << "#define " << N << "_OK 0\n#define " << N << "_ERROR_ARGUMENT (-1)\n\n";
  h << "/* Runs the model on M_INPUT_SIZE raw input values (normalization and\n"
       " * quantization are applied here) and writes M_OUTPUT_SIZE floats. */\n";
  h << "int " << n << "_predict(const float* raw_input, float* output);\n\n";
  if (int_in != nullptr) {
    h << "/* int" << bits << " entry point: input already quantized, q = round(x / scale) + zero_point\n"
         " * of the normalized value; output is the int" << bits << " tensor before dequantization. */\n";
    h << "#define " << N << "_HAS_INT" << bits << " 1\n";
    h << "#define " << N << "_INPUT_SCALE " << c_float_literal(int_in->scales[0], "input") << "\n";
    h << "#define " << N << "_INPUT_ZERO_POINT " << int_in->zero_point << "\n";
    h << "#define " << N << "_INT" << bits << "_OUTPUT_SIZE " << int_out->size() << "\n";
    h << "#define " << N << "_OUTPUT_SCALE " << c_float_literal(int_out->scales[0], "output") << "\n";
    h << "#define " << N << "_OUTPUT_ZERO_POINT " << int_out->zero_point << "\n";
    h << "int " << n << "_predict_int" << bits << "(const " << type << "* input, " << type << "* output);\n\n";
  }
  h << "/* Index of the largest of M_OUTPUT_SIZE outputs; its value in *confidence\n"
       " * when confidence is not null. */\n";
  h << "int " << n << "_argmax(const float* output, float* confidence);\n\n";
  if (options.offload_threshold >= 0) {
    h << "/* Edge-cloud cascade: 1 when the device should ask the server (confidence,\n"
         " * e.g. from " << n << "_argmax, below " << N << "_OFFLOAD_THRESHOLD), else 0. */\n";
    h << "#ifndef " << N << "_OFFLOAD_THRESHOLD\n#define " << N << "_OFFLOAD_THRESHOLD "
      << short_float_literal(static_cast<float>(options.offload_threshold)) << "\n#endif\n";
    h << "int " << n << "_should_offload(float confidence);\n\n";
  }
  if (!model.metadata.class_names.empty()) {
    h << "#define " << N << "_NUM_CLASSES " << model.metadata.class_names.size() << "\n";
    h << "extern const char* const " << n << "_labels[" << N << "_NUM_CLASSES];\n\n";
  }
  h << "#ifdef __cplusplus\n}  /* extern \"C\" */\n";
  if (options.cpp_wrapper) {
    h << "\n/* Thin C++ wrapper. */\nclass " << n << "_model {\n public:\n";
    h << "  static int predict(const float* raw_input, float* output) { return " << n
      << "_predict(raw_input, output); }\n";
    if (int_in != nullptr) {
      h << "  static int predict_int" << bits << "(const " << type << "* input, " << type << "* output) { return "
        << n << "_predict_int" << bits << "(input, output); }\n";
    }
    h << "  static int argmax(const float* output, float* confidence = 0) { return " << n
      << "_argmax(output, confidence); }\n";
    if (options.offload_threshold >= 0) {
      h << "  static int should_offload(float confidence) { return " << n << "_should_offload(confidence); }\n";
    }
    h << "  static const int input_size = " << N << "_INPUT_SIZE;\n";
    h << "  static const int output_size = " << N << "_OUTPUT_SIZE;\n};\n";
  }
  h << "#endif\n\n#endif /* " << N << "_H */\n";
  return h.str();
}

}  // namespace

std::string c_identifier(const std::string& name) {
  std::string id;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    id += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_';
  }
  if (id.empty()) return "model";
  if (std::isdigit(static_cast<unsigned char>(id[0]))) id = "m_" + id;
  return id;
}

std::string c_float_literal(float value, const std::string& where) {
  if (!std::isfinite(value)) throw Error(ErrorKind::kInvalid, where, "constant is not finite");
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", static_cast<double>(value));  // 9 digits round-trip a float
  std::string literal = text;
  if (literal.find_first_of(".e") == std::string::npos) literal += ".0";
  return literal + "f";
}

std::string c_macro_prefix(const std::string& name) {
  std::string prefix = c_identifier(name);
  for (char& c : prefix) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return prefix;
}

GeneratedCode emit_c(const DeployModel& model, const EmitOptions& options) {
  GeneratedCode code;
  code.name = c_identifier(options.name);
  code.plan = plan_memory(model);
  code.model_sha256 = to_hex(sha256(serialize_deploy_model(model)));
  const std::string& n = code.name;
  const std::string N = c_macro_prefix(n);
  const int deq = dequantize_index(model);
  const DeployTensor* int_in = nullptr;
  const DeployTensor* int_out = nullptr;
  if (deq > 0) {
    int_in = &model.tensors[static_cast<size_t>(model.ops[0].output)];
    int_out = &model.tensors[static_cast<size_t>(model.ops[static_cast<size_t>(deq)].inputs[0])];
    code.integer_bits = int_in->dtype == DType::kInt16 ? 16 : 8;
  }

  std::set<std::string> kernels{"tml_common.h"};
  for (const DeployOp& op : model.ops) add_kernel_files(op, kernels);

  SourceWriter writer(model, code.plan, n);
  std::ostringstream c;
  c << header_comment(model, options, code.model_sha256);
  c << "#include \"" << n << ".h\"\n\n#include <string.h>\n\n";
  for (const std::string& file : kernels) {
    if (file.ends_with(".h")) c << "#include \"" << file << "\"\n";
  }
  c << "\n/* Activations: one static arena, offsets from the memory planner. */\n";
  c << "static union {\n  uint8_t bytes[" << std::max<int64_t>(code.plan.arena_bytes, 1)
    << "];\n  float align_float;\n  int32_t align_int32;\n} " << n << "_arena;\n\n";
  const Normalization& norm = model.metadata.normalization;
  const bool normalize = norm.kind != NormalizationKind::kNone;
  const bool half_normalization = normalization_is_half(norm);
  if (normalize) {
    const std::vector<float> offset(norm.offset.data(), norm.offset.data() + norm.offset.size());
    const std::vector<float> scale(norm.scale.data(), norm.scale.data() + norm.scale.size());
    c << "/* Input normalization: x = (raw - offset) * scale. */\n";
    if (half_normalization) {  // values binary16 holds exactly (int8 models: quantize rounds them so)
      const auto bits = [](float v) { return std::to_string(float_to_half(v)); };
      c << "/* As binary16 bit patterns, exactly the host's values. Each is zero or\n"
           " * normal, so moved into a float's bits it reads as the value times 2^-112\n"
           " * (a normal float): one exact multiply restores it. */\n";
      c << "static float " << n << "_half(uint16_t half) {\n"
        << "  const uint32_t bits = ((uint32_t)(half & 0x8000u) << 16) | ((uint32_t)(half & 0x7FFFu) << 13);\n"
        << "  float value;\n  memcpy(&value, &bits, sizeof value);\n"
        << "  return value * " << c_float_literal(std::ldexp(1.0f, 112), "normalization") << "; /* 2^112 */\n}\n";
      c << "static const uint16_t " << n << "_offset[" << offset.size() << "] TML_CONST = {"
        << initializer(offset, bits) << "};\n";
      c << "static const uint16_t " << n << "_scale[" << scale.size() << "] TML_CONST = {" << initializer(scale, bits)
        << "};\n\n";
    } else {
      c << "static const float " << n << "_offset[" << offset.size() << "] TML_CONST = {"
        << initializer(offset, [](float v) { return c_float_literal(v, "normalization"); }) << "};\n";
      c << "static const float " << n << "_scale[" << scale.size() << "] TML_CONST = {"
        << initializer(scale, [](float v) { return c_float_literal(v, "normalization"); }) << "};\n\n";
    }
  }
  c << writer.constants_and_ops();

  const auto run_ops = [&](size_t first, size_t end) {
    std::string body;
    for (size_t i = first; i < end; ++i) body += "  " + n + "_op" + std::to_string(i) + "();\n";
    return body;
  };
  c << "int " << n << "_predict(const float* raw_input, float* output) {\n";
  c << "  float* x = " << writer.activation(model.input, "float") << ";\n  int32_t i;\n";
  c << "  if (raw_input == 0 || output == 0) return " << N << "_ERROR_ARGUMENT;\n";
  c << "  for (i = 0; i < " << N << "_INPUT_SIZE; ++i) ";
  if (normalize) {
    const std::string load = half_normalization ? n + "_half(TML_LD_U16(&" : "(TML_LD_F32(&";
    c << "x[i] = (raw_input[i] - " << load << n << "_offset[i]))) * " << load << n << "_scale[i]));\n";
  } else {
    c << "x[i] = raw_input[i];\n";
  }
  c << run_ops(0, model.ops.size());
  c << "  memcpy(output, " << writer.activation(model.output, "const float") << ", " << N
    << "_OUTPUT_SIZE * sizeof(float));\n  return " << N << "_OK;\n}\n\n";
  if (code.integer_bits > 0) {
    const int in = model.ops[0].output;
    const int out = model.ops[static_cast<size_t>(deq)].inputs[0];
    const std::string bits = std::to_string(code.integer_bits);
    const std::string type = "int" + bits + "_t";
    c << "int " << n << "_predict_int" << bits << "(const " << type << "* input, " << type << "* output) {\n";
    c << "  if (input == 0 || output == 0) return " << N << "_ERROR_ARGUMENT;\n";
    c << "  memcpy(" << writer.activation(in, type.c_str()) << ", input, " << N << "_INPUT_SIZE * sizeof(" << type
      << "));\n";
    c << run_ops(1, static_cast<size_t>(deq));
    c << "  memcpy(output, " << writer.activation(out, ("const " + type).c_str()) << ", " << N << "_INT" << bits
      << "_OUTPUT_SIZE * sizeof(" << type << "));\n  return " << N << "_OK;\n}\n\n";
  }
  c << "int " << n << "_argmax(const float* output, float* confidence) {\n";
  c << "  int best = 0, i;\n  if (output == 0) return " << N << "_ERROR_ARGUMENT;\n";
  c << "  for (i = 1; i < " << N << "_OUTPUT_SIZE; ++i) {\n    if (output[i] > output[best]) best = i;\n  }\n";
  c << "  if (confidence != 0) *confidence = output[best];\n  return best;\n}\n";
  if (options.offload_threshold >= 0) {
    c << "\nint " << n << "_should_offload(float confidence) {\n  return confidence < " << N
      << "_OFFLOAD_THRESHOLD ? 1 : 0;\n}\n";
  }
  if (!model.metadata.class_names.empty()) {
    c << "\nconst char* const " << n << "_labels[" << N << "_NUM_CLASSES] = {";
    for (size_t i = 0; i < model.metadata.class_names.size(); ++i) {
      c << (i ? ", " : "") << string_literal(model.metadata.class_names[i]);
    }
    c << "};\n";
  }

  code.files.push_back({n + ".h", emit_header(model, options, code, int_in, int_out)});
  code.files.push_back({n + ".c", c.str()});
  for (const auto& [file, content] : kernel_sources()) {
    if (kernels.count(file)) code.files.push_back({file, content});
  }
  return code;
}

}  // namespace tinymlops

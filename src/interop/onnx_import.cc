// The ONNX graph is walked as a chain: each node reads the output of the one
// before (plus constants), and becomes a layer, a change of layout, or nothing.
// Layout bookkeeping: the Model's tensors are channels-last; `Layout` records,
// for each ONNX axis after the batch axis, which of the Model's axes it is.
#include "tinymlops/interop/onnx_import.h"

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "interop/model_assembly.h"
#include "interop/onnx_layout.h"
#include "interop/onnx_tensors.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/nn/layers.h"

namespace tinymlops {

namespace {

using interop::ConstTensor;
using interop::flatten_order;
using interop::Layout;
using interop::spatial_layout;
using interop::node_label;
using onnx::NodeProto;

constexpr int64_t kMinOpset = 7, kMaxOpset = 17;

const char* kSupportedOps =
    "Gemm, MatMul, Add (bias), Conv, Relu, Clip, LeakyRelu, Elu, Softplus, Sigmoid, Tanh, Softmax, MaxPool, "
    "AveragePool, GlobalAveragePool, Flatten, Reshape, Transpose, BatchNormalization, Identity, Dropout, Pad, "
    "Constant, Sub/Mul/Div (input normalization), QuantizeLinear/DequantizeLinear, Cast";

class OnnxImporter {
 public:
  OnnxImporter(const onnx::ModelProto& proto, std::string source) : proto_(proto), source_(std::move(source)) {}

  Model run() {
    read_opset();
    const onnx::GraphProto& graph = proto_.graph();
    for (const auto& init : graph.initializer()) constants_[init.name()] = interop::read_tensor(init, source_);
    read_input(graph);
    for (const NodeProto& node : graph.node()) import_node(node);
    if (graph.output_size() != 1) {
      throw Error(ErrorKind::kUnsupported, source_, "the graph has " + std::to_string(graph.output_size()) +
                                                        " outputs; one is imported");
    }
    if (graph.output(0).name() != current_) {
      throw Error(ErrorKind::kUnsupported, source_,
                  "the graph output '" + graph.output(0).name() + "' is not the end of the node chain ('" + current_ +
                      "')");
    }
    if (!pending_perm_.empty()) {
      throw Error(ErrorKind::kUnsupported, source_,
                  "the output is a flattened channels-first tensor; end the graph with a Gemm or MatMul");
    }
    if (!input_fixed_) input_shape_ = Shape{layout_.dims};
    Model model = layers_.finish(input_shape_, source_);
    interop::set_default_metadata(model);
    apply_metadata_props(model);
    apply_normalization(model);
    model.metadata.provenance = {{"imported_from", source_}, {"format", "onnx"},
                                 {"producer", proto_.producer_name() + " " + proto_.producer_version()},
                                 {"opset", opset_}};
    return model;
  }

 private:
  [[noreturn]] void fail(const NodeProto& node, const std::string& message) const {
    throw Error(ErrorKind::kUnsupported, source_, node_label(node) + ": " + message);
  }

  void read_opset() {
    bool found = false;
    for (const auto& op : proto_.opset_import()) {
      if (op.domain().empty() || op.domain() == "ai.onnx") opset_ = op.version(), found = true;
    }
    if (!found) opset_ = 1;
    if (opset_ < kMinOpset || opset_ > kMaxOpset) {
      throw Error(ErrorKind::kUnsupported, source_,
                  "opset " + std::to_string(opset_) + " of the default domain is not supported (" +
                      std::to_string(kMinOpset) + " to " + std::to_string(kMaxOpset) + ")");
    }
  }

  void read_input(const onnx::GraphProto& graph) {
    const onnx::ValueInfoProto* input = nullptr;
    for (const auto& in : graph.input()) {
      if (constants_.count(in.name())) continue;
      if (input) throw Error(ErrorKind::kUnsupported, source_, "the graph has more than one input; one is imported");
      input = &in;
    }
    if (!input) throw Error(ErrorKind::kInvalid, source_, "the graph has no input");
    const auto& type = input->type().tensor_type();
    if (type.elem_type() != onnx::TensorProto::FLOAT) {
      throw Error(ErrorKind::kUnsupported, source_, "input '" + input->name() + "' is not float32");
    }
    std::vector<int64_t> dims;
    for (int i = 1; i < type.shape().dim_size(); ++i) {
      const auto& dim = type.shape().dim(i);
      if (!dim.has_dim_value() || dim.dim_value() <= 0) {
        throw Error(ErrorKind::kUnsupported, source_,
                    "input '" + input->name() + "' dimension " + std::to_string(i) + " is not a fixed size");
      }
      dims.push_back(dim.dim_value());
    }
    current_ = input->name();
    if (dims.size() == 1) {
      layout_ = {{int(dims[0])}, {0}};
    } else if (dims.size() == 2 || dims.size() == 3) {
      layout_ = spatial_layout(dims, first_is_to_channels_first(graph, input->name(), dims.size()));
    } else {
      throw Error(ErrorKind::kUnsupported, source_,
                  "input '" + input->name() + "' has rank " + std::to_string(type.shape().dim_size()) +
                      " (2, 3 or 4 with the batch axis are imported)");
    }
  }

  // Whether the input's first consumer is a Transpose to channels-first (the
  // input is then channels-last, as tf2onnx and export_onnx write it).
  static bool first_is_to_channels_first(const onnx::GraphProto& graph, const std::string& name, size_t rank) {
    for (const NodeProto& node : graph.node()) {
      for (const auto& in : node.input()) {
        if (in != name) continue;
        if (node.op_type() != "Transpose") return false;
        const auto perm = interop::attribute_ints(node, "perm");
        return perm && (rank == 3 ? *perm == std::vector<int64_t>{0, 3, 1, 2} : *perm == std::vector<int64_t>{0, 2, 1});
      }
    }
    return false;
  }

  const ConstTensor* constant(const std::string& name) const {
    auto it = constants_.find(name);
    return it == constants_.end() ? nullptr : &it->second;
  }

  const ConstTensor& require_constant(const NodeProto& node, int index, const char* what) const {
    if (index >= node.input_size() || node.input(index).empty()) fail(node, std::string("has no ") + what);
    const ConstTensor* c = constant(node.input(index));
    if (!c) fail(node, std::string(what) + " '" + node.input(index) + "' is not a constant");
    return *c;
  }

  void require_chain(const NodeProto& node) const {
    if (node.input_size() == 0 || node.input(0) != current_) {
      fail(node, "does not read the output of the node before it ('" + current_ +
                     "'); only sequential graphs are imported");
    }
  }

  void advance(const NodeProto& node) { current_ = node.output(0); }

  void add_layer(const NodeProto& node, std::unique_ptr<Layer> layer, std::vector<std::vector<float>> values) {
    if (!input_fixed_) input_shape_ = Shape{layout_.dims}, input_fixed_ = true;
    layers_.add(std::move(layer), std::move(values), node_label(node));
    open_bias_ = false;
    advance(node);
  }

  void add_activation(const NodeProto& node, ActivationKind kind, float alpha = -1) {
    add_layer(node, std::make_unique<Activation>(kind, alpha), {});
  }

  void import_node(const NodeProto& node) {
    if (!node.domain().empty() && node.domain() != "ai.onnx") fail(node, "domain '" + node.domain() + "' is not supported");
    const std::string& op = node.op_type();
    if (op == "Constant") return import_constant(node);
    if (all_inputs_constant(node)) return fold_constant(node);
    if (op == "Mul" && is_swish(node)) {
      replace_last_with_swish(node);
      return;
    }
    if (op == "Sub" || op == "Mul" || op == "Div" || op == "Add") return import_arithmetic(node);
    require_chain(node);
    if (op == "Identity" || op == "Dropout" || op == "QuantizeLinear" || op == "DequantizeLinear") return advance(node);
    if (op == "Pad") return import_pad(node);
    if (op == "Gemm" || op == "MatMul") return import_dense(node);
    if (op == "Conv") return import_conv(node);
    if (op == "MaxPool" || op == "AveragePool") return import_pool(node);
    if (op == "GlobalAveragePool") {
      if (!layout_.channels_first()) fail(node, "needs a channels-first input");
      add_layer(node, std::make_unique<GlobalAvgPool>(), {});
      layout_ = {{layout_.dims.back()}, {0}};
      return;
    }
    if (op == "Flatten") {
      const int64_t axis = interop::attribute_int(node, "axis").value_or(1);
      if (axis != 1) fail(node, "axis " + std::to_string(axis) + " is not supported (1 is)");
      return flatten(node);
    }
    if (op == "Reshape") return import_reshape(node);
    if (op == "Transpose") return import_transpose(node);
    if (op == "Relu") return add_activation(node, ActivationKind::kRelu);
    if (op == "LeakyRelu") return add_activation(node, ActivationKind::kLeakyRelu, interop::attribute_float(node, "alpha").value_or(0.01f));
    if (op == "Elu") return add_activation(node, ActivationKind::kElu, interop::attribute_float(node, "alpha").value_or(1.0f));
    if (op == "Softplus") return add_activation(node, ActivationKind::kSoftplus);
    if (op == "Tanh") return add_activation(node, ActivationKind::kTanh);
    if (op == "Sigmoid") {
      sigmoid_input_ = current_;
      return add_activation(node, ActivationKind::kSigmoid);
    }
    if (op == "Clip") return import_clip(node);
    if (op == "Softmax") return import_softmax(node);
    if (op == "BatchNormalization") return import_batch_norm(node);
    fail(node, "op is not supported; supported: " + std::string(kSupportedOps));
  }

  bool all_inputs_constant(const NodeProto& node) const {
    if (node.input_size() == 0) return false;
    for (const auto& in : node.input()) {
      if (!in.empty() && !constant(in)) return false;
    }
    return true;
  }

  void import_constant(const NodeProto& node) {
    ConstTensor c;
    if (const auto* a = interop::find_attribute(node, "value")) c = interop::read_tensor(a->t(), source_);
    else if (auto f = interop::attribute_float(node, "value_float")) c.values = {*f};
    else if (auto i = interop::attribute_int(node, "value_int")) c.values = {float(*i)};
    else if (auto is = interop::attribute_ints(node, "value_ints")) {
      for (int64_t v : *is) c.values.push_back(float(v));
      c.dims = {int64_t(is->size())};
    } else if (const auto* fs = interop::find_attribute(node, "value_floats")) {
      c.values.assign(fs->floats().begin(), fs->floats().end());
      c.dims = {int64_t(c.values.size())};
    } else {
      fail(node, "only tensor, float and int values are supported");
    }
    constants_[node.output(0)] = std::move(c);
  }

  // Nodes over constants only: dequantized or cast weights.
  void fold_constant(const NodeProto& node) {
    const std::string& op = node.op_type();
    ConstTensor out = *constant(node.input(0));
    if (op == "DequantizeLinear") {
      const ConstTensor& scale = *constant(node.input(1));
      const ConstTensor* zero = node.input_size() > 2 && !node.input(2).empty() ? constant(node.input(2)) : nullptr;
      int64_t axis = interop::attribute_int(node, "axis").value_or(1);
      if (axis < 0) axis += int64_t(out.dims.size());
      int64_t inner = 1, channels = 1;
      if (scale.values.size() > 1) {
        if (axis < 0 || axis >= int64_t(out.dims.size()) || out.dims[size_t(axis)] != int64_t(scale.values.size())) {
          fail(node, "per-axis scales do not match the tensor");
        }
        channels = out.dims[size_t(axis)];
        for (size_t d = size_t(axis) + 1; d < out.dims.size(); ++d) inner *= out.dims[d];
      }
      for (size_t i = 0; i < out.values.size(); ++i) {
        const size_t c = channels > 1 ? size_t((int64_t(i) / inner) % channels) : 0;
        const float zp = zero ? zero->values[zero->values.size() > 1 ? c : 0] : 0.0f;
        out.values[i] = (out.values[i] - zp) * scale.values[c];
      }
    } else if (op == "Cast" || op == "Identity") {
      // values are already float
    } else {
      fail(node, "reads only constants, which is imported for DequantizeLinear, Cast and Identity");
    }
    out.elem_type = onnx::TensorProto::FLOAT;
    constants_[node.output(0)] = std::move(out);
  }

  bool is_swish(const NodeProto& node) const {
    if (node.input_size() != 2 || sigmoid_input_.empty() || layers_.empty()) return false;
    const bool pair = (node.input(0) == sigmoid_input_ && node.input(1) == current_) ||
                      (node.input(1) == sigmoid_input_ && node.input(0) == current_);
    return pair && layers_.last_kind() == LayerKind::kActivation;
  }

  void replace_last_with_swish(const NodeProto& node) {
    layers_.replace_last(std::make_unique<Activation>(ActivationKind::kSwish), {}, node_label(node));
    sigmoid_input_.clear();
    advance(node);
  }

  void import_arithmetic(const NodeProto& node) {
    const std::string& op = node.op_type();
    if (node.input_size() != 2) fail(node, "needs two inputs");
    int data = node.input(0) == current_ ? 0 : node.input(1) == current_ ? 1 : -1;
    const ConstTensor* c = data >= 0 ? constant(node.input(1 - data)) : nullptr;
    if (!c) fail(node, "does not combine the previous output with a constant; only sequential graphs are imported");
    // A bias after MatMul.
    if (op == "Add" && open_bias_) {
      auto& bias = layers_.last_values()[1];
      if (c->values.size() != bias.size() && c->values.size() != 1) fail(node, "bias size does not match the MatMul");
      for (size_t i = 0; i < bias.size(); ++i) bias[i] += c->values[c->values.size() == 1 ? 0 : i];
      open_bias_ = false;
      return advance(node);
    }
    const size_t features = size_t(layout_.size());
    if (!layers_.empty() || input_fixed_ || layout_.rank() != 1 || (c->values.size() != 1 && c->values.size() != features) ||
        (op == "Sub" && data != 0) || (op == "Div" && data != 0)) {
      fail(node, "is imported only as the input normalization (x - offset) * scale before the first layer, as a bias "
                 "after MatMul, or in swish");
    }
    if (norm_a_.empty()) norm_a_.assign(features, 1.0f), norm_b_.assign(features, 0.0f);
    std::vector<float> expanded(features);
    for (size_t i = 0; i < features; ++i) expanded[i] = c->values[c->values.size() == 1 ? 0 : i];
    norm_steps_.push_back({op, expanded});
    for (size_t i = 0; i < features; ++i) {
      const float v = c->values[c->values.size() == 1 ? 0 : i];
      if (op == "Sub") norm_b_[i] -= v;
      else if (op == "Add") norm_b_[i] += v;
      else if (op == "Mul") norm_a_[i] *= v, norm_b_[i] *= v;
      else norm_a_[i] /= v, norm_b_[i] /= v;
    }
    advance(node);
  }

  void import_pad(const NodeProto& node) {
    std::vector<int64_t> pads;
    if (node.input_size() > 1 && !node.input(1).empty()) {
      for (float v : require_constant(node, 1, "pads").values) pads.push_back(int64_t(v));
    } else {
      pads = interop::attribute_ints(node, "pads").value_or(std::vector<int64_t>{});
    }
    for (int64_t p : pads) {
      if (p != 0) fail(node, "pads " + interop::list_text(pads) + " are not supported (only zero padding is dropped)");
    }
    advance(node);
  }

  void import_dense(const NodeProto& node) {
    const bool gemm = node.op_type() == "Gemm";
    if (layout_.rank() != 1) fail(node, "needs a flat input (Flatten or Reshape first)");
    const ConstTensor& b = require_constant(node, 1, "weights");
    if (b.dims.size() != 2) fail(node, "weights must be 2-D");
    bool trans_b = false;
    float alpha = 1, beta = 1;
    if (gemm) {
      if (interop::attribute_int(node, "transA").value_or(0) != 0) fail(node, "transA = 1 is not supported");
      trans_b = interop::attribute_int(node, "transB").value_or(0) != 0;
      alpha = interop::attribute_float(node, "alpha").value_or(1.0f);
      beta = interop::attribute_float(node, "beta").value_or(1.0f);
    }
    const int64_t in = trans_b ? b.dims[1] : b.dims[0];
    const int64_t units = trans_b ? b.dims[0] : b.dims[1];
    if (in != layout_.size()) {
      fail(node, "weights take " + std::to_string(in) + " inputs but the previous output has " +
                     std::to_string(layout_.size()));
    }
    std::vector<float> weights(size_t(in * units));
    for (int64_t i = 0; i < in; ++i) {
      // Row i of the ONNX weights multiplies ONNX input i, which is the Model's input perm[i].
      const int64_t ours = pending_perm_.empty() ? i : pending_perm_[size_t(i)];
      for (int64_t o = 0; o < units; ++o) {
        const float w = trans_b ? b.values[size_t(o * in + i)] : b.values[size_t(i * units + o)];
        weights[size_t(ours * units + o)] = alpha * w;
      }
    }
    std::vector<float> bias(size_t(units), 0.0f);
    if (gemm && node.input_size() > 2 && !node.input(2).empty()) {
      const ConstTensor& c = require_constant(node, 2, "bias");
      if (c.values.size() != 1 && int64_t(c.values.size()) != units) fail(node, "bias does not broadcast to the output");
      for (size_t o = 0; o < bias.size(); ++o) bias[o] = beta * c.values[c.values.size() == 1 ? 0 : o];
    }
    pending_perm_.clear();
    add_layer(node, std::make_unique<Dense>(int(units)), {std::move(weights), std::move(bias)});
    open_bias_ = !gemm;
    layout_ = {{int(units)}, {0}};
  }

  // The one Padding that gives the node's pads on every spatial axis.
  Padding conv_padding(const NodeProto& node, const std::vector<int64_t>& kernel, const std::vector<int64_t>& strides,
                       const std::vector<int>& in) const {
    const std::string auto_pad = interop::attribute_string(node, "auto_pad").value_or("NOTSET");
    if (auto_pad == "VALID") return Padding::kValid;
    if (auto_pad == "SAME_UPPER") return Padding::kSame;
    if (auto_pad != "NOTSET") fail(node, "auto_pad " + auto_pad + " is not supported");
    const size_t n = kernel.size();
    std::vector<int64_t> pads = interop::attribute_ints(node, "pads").value_or(std::vector<int64_t>(2 * n, 0));
    if (pads.size() != 2 * n) fail(node, "pads " + interop::list_text(pads) + " do not match the kernel");
    bool valid = true, same = true;
    for (size_t a = 0; a < n; ++a) {
      int out = 0, before = 0;
      axis_geometry(in[a], int(kernel[a]), int(strides[a]), Padding::kSame, &out, &before);
      const int64_t total = std::max<int64_t>((out - 1) * strides[a] + kernel[a] - in[a], 0);
      if (pads[a] != 0 || pads[a + n] != 0) valid = false;
      if (pads[a] != before || pads[a + n] != total - before) same = false;
    }
    if (valid) return Padding::kValid;
    if (same) return Padding::kSame;
    fail(node, "pads " + interop::list_text(pads) + " are neither valid (none) nor same (TensorFlow's rule)");
  }

  void import_conv(const NodeProto& node) {
    if (!layout_.channels_first()) fail(node, "needs a channels-first image or sequence input");
    const ConstTensor& w = require_constant(node, 1, "weights");
    const size_t spatial = size_t(layout_.rank() - 1);
    if (w.dims.size() != spatial + 2) fail(node, "weights of rank " + std::to_string(w.dims.size()) + " do not fit the input");
    if (auto d = interop::attribute_ints(node, "dilations")) {
      for (int64_t v : *d) {
        if (v != 1) fail(node, "dilations " + interop::list_text(*d) + " are not supported");
      }
    }
    const int64_t group = interop::attribute_int(node, "group").value_or(1);
    const int64_t filters = w.dims[0], per_group = w.dims[1];
    const int channels = layout_.dims.back();
    std::vector<int64_t> kernel(w.dims.begin() + 2, w.dims.end());
    const std::vector<int64_t> strides = interop::attribute_ints(node, "strides").value_or(std::vector<int64_t>(spatial, 1));
    std::vector<int> in(layout_.dims.begin(), layout_.dims.end() - 1);
    const Padding padding = conv_padding(node, kernel, strides, in);
    std::vector<float> bias(size_t(filters), 0.0f);
    if (node.input_size() > 2 && !node.input(2).empty()) bias = require_constant(node, 2, "bias").values;
    const int64_t taps = spatial == 2 ? kernel[0] * kernel[1] : kernel[0];
    std::vector<float> weights(w.values.size());
    std::unique_ptr<Layer> layer;
    if (group == 1 && per_group == channels) {
      // ONNX [F][C][taps] -> ours [taps][C][F].
      for (int64_t f = 0; f < filters; ++f) {
        for (int64_t c = 0; c < channels; ++c) {
          for (int64_t t = 0; t < taps; ++t) weights[size_t((t * channels + c) * filters + f)] = w.values[size_t((f * channels + c) * taps + t)];
        }
      }
      if (spatial == 2) {
        layer = std::make_unique<Conv2D>(int(filters), std::array<int, 2>{int(kernel[0]), int(kernel[1])},
                                         std::array<int, 2>{int(strides[0]), int(strides[1])}, padding);
      } else {
        layer = std::make_unique<Conv1D>(int(filters), int(kernel[0]), int(strides[0]), padding);
      }
    } else if (group == channels && per_group == 1 && filters % channels == 0 && spatial == 2) {
      // ONNX [C*M][1][taps] -> ours [taps][C][M], i.e. [taps][C*M].
      for (int64_t o = 0; o < filters; ++o) {
        for (int64_t t = 0; t < taps; ++t) weights[size_t(t * filters + o)] = w.values[size_t(o * taps + t)];
      }
      layer = std::make_unique<DepthwiseConv2D>(std::array<int, 2>{int(kernel[0]), int(kernel[1])},
                                                std::array<int, 2>{int(strides[0]), int(strides[1])}, padding,
                                                int(filters / channels));
    } else {
      fail(node, "group " + std::to_string(group) + " with " + std::to_string(channels) +
                     " input channels is not supported (1, or depthwise 2-D)");
    }
    std::vector<int> out_dims;
    for (size_t a = 0; a < spatial; ++a) {
      int out = 0, before = 0;
      axis_geometry(in[a], int(kernel[a]), int(strides[a]), padding, &out, &before);
      out_dims.push_back(out);
    }
    add_layer(node, std::move(layer), {std::move(weights), std::move(bias)});
    out_dims.push_back(int(filters));
    layout_ = {out_dims, spatial == 2 ? std::vector<int>{2, 0, 1} : std::vector<int>{1, 0}};
  }

  void import_pool(const NodeProto& node) {
    if (!layout_.channels_first()) fail(node, "needs a channels-first image or sequence input");
    const size_t spatial = size_t(layout_.rank() - 1);
    const auto kernel = interop::attribute_ints(node, "kernel_shape");
    if (!kernel || kernel->size() != spatial) fail(node, "kernel_shape does not fit the input");
    const std::vector<int64_t> strides = interop::attribute_ints(node, "strides").value_or(std::vector<int64_t>(spatial, 1));
    const std::vector<int64_t> pads = interop::attribute_ints(node, "pads").value_or(std::vector<int64_t>{});
    for (int64_t p : pads) {
      if (p != 0) fail(node, "pads " + interop::list_text(pads) + " are not supported (pooling is imported unpadded)");
    }
    const std::string auto_pad = interop::attribute_string(node, "auto_pad").value_or("NOTSET");
    if (auto_pad != "NOTSET" && auto_pad != "VALID") fail(node, "auto_pad " + auto_pad + " is not supported");
    if (auto d = interop::attribute_ints(node, "dilations")) {
      for (int64_t v : *d) {
        if (v != 1) fail(node, "dilations " + interop::list_text(*d) + " are not supported");
      }
    }
    const bool ceil_mode = interop::attribute_int(node, "ceil_mode").value_or(0) != 0;
    std::vector<int> out_dims;
    for (size_t a = 0; a < spatial; ++a) {
      const int64_t in = layout_.dims[a];
      if (ceil_mode && (in - (*kernel)[a]) % strides[a] != 0) fail(node, "ceil_mode = 1 changes the output size here");
      out_dims.push_back(int((in - (*kernel)[a]) / strides[a] + 1));
    }
    const LayerKind kind = node.op_type() == "MaxPool" ? LayerKind::kMaxPool : LayerKind::kAvgPool;
    std::array<int, 2> pool{int((*kernel)[0]), spatial == 2 ? int((*kernel)[1]) : 1};
    std::array<int, 2> stride{int(strides[0]), spatial == 2 ? int(strides[1]) : 1};
    add_layer(node, std::make_unique<Pool>(kind, pool, stride), {});
    out_dims.push_back(layout_.dims.back());
    layout_.dims = out_dims;
  }

  // To flat: the Model's Flatten keeps its own order, so remember where each
  // ONNX flat index lands for the Gemm/MatMul (or BatchNorm) that follows.
  void flatten(const NodeProto& node) {
    if (layout_.rank() == 1) return advance(node);
    const int64_t size = layout_.size();
    std::vector<int64_t> perm = flatten_order(layout_);
    add_layer(node, std::make_unique<Flatten>(), {});
    if (!perm.empty()) pending_perm_ = std::move(perm);
    layout_ = {{int(size)}, {0}};
  }

  void import_reshape(const NodeProto& node) {
    std::vector<int64_t> shape;
    if (node.input_size() > 1) {
      for (float v : require_constant(node, 1, "shape").values) shape.push_back(int64_t(v));
    } else {
      shape = interop::attribute_ints(node, "shape").value_or(std::vector<int64_t>{});
    }
    if (shape.empty()) fail(node, "has no target shape");
    // Resolve 0 (copy) and -1 (infer) on the axes after batch.
    const std::vector<int64_t> onnx_dims = layout_.onnx_dims();
    std::vector<int64_t> target(shape.begin() + 1, shape.end());
    int64_t known = 1, infer = -1;
    for (size_t a = 0; a < target.size(); ++a) {
      if (target[a] == 0) target[a] = a < onnx_dims.size() ? onnx_dims[a] : 1;
      if (target[a] == -1) infer = int64_t(a);
      else known *= target[a];
    }
    if (infer >= 0) target[size_t(infer)] = known > 0 ? layout_.size() / known : 0;
    int64_t total = 1;
    for (int64_t d : target) total *= d;
    if (total != layout_.size()) fail(node, "target shape " + interop::list_text(shape) + " does not hold the input");
    if (target.size() == 1) return flatten(node);
    if (target == onnx_dims) return advance(node);
    if (layout_.rank() == 1 && !input_fixed_ && (target.size() == 2 || target.size() == 3)) {
      // From the flat input to an image: channels-first when the channel count is 1
      // (the same values in the same order), otherwise channels-last (a Transpose follows).
      layout_ = spatial_layout(target, target[0] != 1);
      return advance(node);
    }
    fail(node, "target shape " + interop::list_text(shape) +
                   " is not supported (to flat, or from the flat input to an image before any layer)");
  }

  void import_transpose(const NodeProto& node) {
    const auto perm = interop::attribute_ints(node, "perm");
    if (!perm || perm->size() != size_t(layout_.rank() + 1) || (*perm)[0] != 0) {
      fail(node, "only permutations of the axes after the batch axis are supported");
    }
    std::vector<int> axes;
    for (size_t i = 1; i < perm->size(); ++i) axes.push_back(layout_.axes[size_t((*perm)[i] - 1)]);
    layout_.axes = axes;
    advance(node);
  }

  void import_clip(const NodeProto& node) {
    float low = -INFINITY, high = INFINITY;
    if (opset_ < 11) {
      low = interop::attribute_float(node, "min").value_or(low);
      high = interop::attribute_float(node, "max").value_or(high);
    } else {
      if (node.input_size() > 1 && !node.input(1).empty()) low = require_constant(node, 1, "min").values.at(0);
      if (node.input_size() > 2 && !node.input(2).empty()) high = require_constant(node, 2, "max").values.at(0);
    }
    if (low == 0 && (std::isinf(high) || high >= 3.0e38f)) return add_activation(node, ActivationKind::kRelu);
    if (low == 0 && high == 6) return add_activation(node, ActivationKind::kRelu6);
    fail(node, "clip to [" + std::to_string(low) + ", " + std::to_string(high) + "] is not supported (ReLU or ReLU6 is)");
  }

  void import_softmax(const NodeProto& node) {
    const int64_t axis = interop::attribute_int(node, "axis").value_or(opset_ < 13 ? 1 : -1);
    const bool whole = layout_.rank() == 1 ? (axis == 1 || axis == -1) : (opset_ < 13 && axis == 1);
    if (!whole) fail(node, "axis " + std::to_string(axis) + " is not the whole sample");
    add_activation(node, ActivationKind::kSoftmax);
  }

  void import_batch_norm(const NodeProto& node) {
    if (layout_.rank() > 1 && !layout_.channels_first()) fail(node, "needs a channels-first input");
    if (interop::attribute_int(node, "training_mode").value_or(0) != 0) fail(node, "training_mode = 1 is not supported");
    const float epsilon = interop::attribute_float(node, "epsilon").value_or(1e-5f);
    const float momentum = interop::attribute_float(node, "momentum").value_or(0.9f);
    std::vector<std::vector<float>> values;
    const char* names[] = {"scale", "bias", "mean", "var"};
    for (int k = 0; k < 4; ++k) {
      std::vector<float> v = require_constant(node, k + 1, names[k]).values;
      if (!pending_perm_.empty()) {
        // Per feature of a flattened channels-first tensor: into the Model's order.
        std::vector<float> ours(v.size());
        for (size_t i = 0; i < v.size() && i < pending_perm_.size(); ++i) ours[size_t(pending_perm_[i])] = v[i];
        v = std::move(ours);
      }
      values.push_back(std::move(v));
    }
    const bool keep_perm = !pending_perm_.empty();
    std::vector<int64_t> perm = pending_perm_;
    add_layer(node, std::make_unique<BatchNorm>(momentum >= 0 && momentum < 1 ? momentum : 0.9f, epsilon),
              std::move(values));
    if (keep_perm) pending_perm_ = std::move(perm);
  }

  void apply_metadata_props(Model& model) {
    ModelMetadata& meta = model.metadata;
    for (const auto& prop : proto_.metadata_props()) {
      const std::string& key = prop.key();
      const std::string where = source_ + " metadata_props[" + key + "]";
      try {
        if (key == "tinymlops.task") meta.task = parse_task(prop.value());
        else if (key == "tinymlops.label") meta.label_name = prop.value();
        else if (key == "tinymlops.features") meta.feature_names = nlohmann::json::parse(prop.value()).get<std::vector<std::string>>();
        else if (key == "tinymlops.classes") meta.class_names = nlohmann::json::parse(prop.value()).get<std::vector<std::string>>();
        else if (key == "tinymlops.normalization") normalization_kind_ = prop.value();
      } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorKind::kFormat, where, std::string("is not a JSON list of strings: ") + e.what());
      } catch (const Error& e) {
        throw Error(ErrorKind::kFormat, where, e.message());
      }
    }
    if (meta.task == Task::kRegression) meta.class_names.clear();
    if (int64_t(meta.feature_names.size()) != model.input_shape().size() ||
        (meta.task == Task::kClassification && int64_t(meta.class_names.size()) != model.output_shape().size())) {
      throw Error(ErrorKind::kFormat, source_, "tinymlops metadata_props do not match the graph's input and output sizes");
    }
  }

  void apply_normalization(Model& model) const {
    if (norm_a_.empty()) return;
    Normalization& n = model.metadata.normalization;
    n.kind = normalization_kind_.empty() ? NormalizationKind::kStandard : parse_normalization(normalization_kind_);
    if (n.kind == NormalizationKind::kNone) n.kind = NormalizationKind::kStandard;
    const Eigen::Index f = Eigen::Index(norm_a_.size());
    n.offset.resize(f), n.scale.resize(f);
    if (norm_steps_.size() == 2 && norm_steps_[0].first == "Sub" && norm_steps_[1].first == "Mul") {
      // (x - offset) * scale as export_onnx writes it: the values as they are, bit for bit.
      for (Eigen::Index i = 0; i < f; ++i) n.offset[i] = norm_steps_[0].second[size_t(i)], n.scale[i] = norm_steps_[1].second[size_t(i)];
      return;
    }
    for (Eigen::Index i = 0; i < f; ++i) {
      const float a = norm_a_[size_t(i)], b = norm_b_[size_t(i)];
      if (a == 0) throw Error(ErrorKind::kInvalid, source_, "the input normalization multiplies feature " + std::to_string(i) + " by 0");
      n.scale[i] = a;
      n.offset[i] = -b / a;
    }
  }

  const onnx::ModelProto& proto_;
  std::string source_;
  int64_t opset_ = 0;
  std::map<std::string, ConstTensor> constants_;
  std::string current_;
  Layout layout_;
  Shape input_shape_;
  bool input_fixed_ = false;
  interop::ModelAssembly layers_;
  std::vector<int64_t> pending_perm_;   // after flattening channels-first: ONNX flat index -> the Model's
  bool open_bias_ = false;              // the last layer is a MatMul whose bias an Add may give
  std::string sigmoid_input_;           // input of the last Sigmoid (swish = x * sigmoid(x))
  std::vector<float> norm_a_, norm_b_;  // input normalization x' = a x + b, before the first layer
  std::vector<std::pair<std::string, std::vector<float>>> norm_steps_;  // the nodes that made it
  std::string normalization_kind_;  // from metadata_props
};

}  // namespace

Model import_onnx(std::string_view bytes, const std::string& source) {
  onnx::ModelProto proto;
  if (bytes.size() > size_t(INT32_MAX) || !proto.ParseFromArray(bytes.data(), int(bytes.size()))) {
    throw Error(ErrorKind::kFormat, source, "is not an ONNX model (protobuf ModelProto does not parse)");
  }
  if (!proto.has_graph()) throw Error(ErrorKind::kFormat, source, "is not an ONNX model (no graph)");
  return OnnxImporter(proto, source).run();
}

Model load_onnx(const std::filesystem::path& path) { return import_onnx(read_file(path), path.string()); }

}  // namespace tinymlops

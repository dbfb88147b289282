// export_onnx: one pass over the DeployModel's ops, emitting ONNX nodes. The
// exporter keeps a float tensor `current_` (QDQ form for integer tensors) and
// whether it is an NCHW image or flat in the Model's (channels-last) order.
#include "tinymlops/interop/onnx_export.h"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/core/version.h"

namespace tinymlops {

namespace {

using onnx::TensorProto;

constexpr int64_t kOpset = 13;
constexpr int64_t kIrVersion = 7;

template <typename T>
std::string raw_bytes(const std::vector<T>& values) {
  std::string bytes(values.size() * sizeof(T), '\0');
  if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

class OnnxExporter {
 public:
  explicit OnnxExporter(const DeployModel& model) : model_(model), graph_(proto_.mutable_graph()) {}

  std::string run() {
    proto_.set_ir_version(kIrVersion);
    proto_.set_producer_name("tinymlops");
    proto_.set_producer_version(kLibraryVersion);
    proto_.set_model_version(1);
    auto* opset = proto_.add_opset_import();
    opset->set_domain("");
    opset->set_version(kOpset);
    graph_->set_name("tinymlops");
    write_metadata();
    const DeployTensor& input = model_.tensors[size_t(model_.input)];
    add_value_info(graph_->add_input(), "input", input.size());
    current_ = "input";
    shape_ = input.shape;
    write_normalization();
    for (size_t i = 0; i < model_.ops.size(); ++i) export_op(i);
    to_flat("output");
    node("Identity", {current_}, "output", "output");
    add_value_info(graph_->add_output(), "output", model_.output_size());
    std::string bytes;
    if (!proto_.SerializeToString(&bytes)) throw Error(ErrorKind::kInvalid, "onnx", "the model does not serialize");
    return bytes;
  }

 private:
  void write_metadata() {
    const ModelMetadata& meta = model_.metadata;
    auto prop = [&](const std::string& key, const std::string& value) {
      auto* p = proto_.add_metadata_props();
      p->set_key(key);
      p->set_value(value);
    };
    prop("tinymlops.task", task_name(meta.task));
    prop("tinymlops.features", nlohmann::json(meta.feature_names).dump());
    prop("tinymlops.label", meta.label_name);
    if (meta.task == Task::kClassification) prop("tinymlops.classes", nlohmann::json(meta.class_names).dump());
    prop("tinymlops.normalization", normalization_name(meta.normalization.kind));
    prop("tinymlops.variant", model_.variant);
  }

  void add_value_info(onnx::ValueInfoProto* info, const std::string& name, int64_t size) {
    info->set_name(name);
    auto* type = info->mutable_type()->mutable_tensor_type();
    type->set_elem_type(TensorProto::FLOAT);
    type->mutable_shape()->add_dim()->set_dim_param("batch");
    type->mutable_shape()->add_dim()->set_dim_value(size);
  }

  onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& inputs, const std::string& output,
                        const std::string& name) {
    auto* n = graph_->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& in : inputs) n->add_input(in);
    n->add_output(output);
    return n;
  }

  static void set_ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& values) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t v : values) a->add_ints(v);
  }
  static void set_int(onnx::NodeProto* n, const std::string& name, int64_t value) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(value);
  }
  static void set_float(onnx::NodeProto* n, const std::string& name, float value) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(value);
  }

  const std::string& initializer(const std::string& name, int32_t type, const std::vector<int64_t>& dims,
                                 std::string bytes) {
    auto* t = graph_->add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    for (int64_t d : dims) t->add_dims(d);
    t->set_raw_data(std::move(bytes));
    return t->name();
  }

  std::string floats(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& v) {
    return initializer(name, TensorProto::FLOAT, dims, raw_bytes(v));
  }

  void write_normalization() {
    const Normalization& n = model_.metadata.normalization;
    if (n.kind == NormalizationKind::kNone) return;
    const int64_t f = n.offset.size();
    std::vector<float> offset(n.offset.data(), n.offset.data() + f), scale(n.scale.data(), n.scale.data() + f);
    floats("normalize.offset", {f}, offset);
    floats("normalize.scale", {f}, scale);
    node("Sub", {current_, "normalize.offset"}, "normalize/centered", "normalize/Sub");
    node("Mul", {"normalize/centered", "normalize.scale"}, "normalized", "normalize/Mul");
    current_ = "normalized";
  }

  // The current tensor as NCHW [N, C, H, W] (from flat, channels-last order).
  void to_nchw(const std::string& prefix) {
    if (nchw_) return;
    const std::vector<int64_t> shape{-1, shape_[0], shape_[1], shape_[2]};
    const std::string s = initializer(prefix + ".nhwc_shape", TensorProto::INT64, {4}, raw_bytes(shape));
    node("Reshape", {current_, s}, prefix + "/nhwc", prefix + "/Reshape");
    set_ints(node("Transpose", {prefix + "/nhwc"}, prefix + "/nchw", prefix + "/Transpose"), "perm", {0, 3, 1, 2});
    current_ = prefix + "/nchw";
    nchw_ = true;
  }

  // The current tensor as [N, size] in channels-last order.
  void to_flat(const std::string& prefix) {
    if (!nchw_) return;
    set_ints(node("Transpose", {current_}, prefix + "/nhwc", prefix + "/Transpose"), "perm", {0, 2, 3, 1});
    set_int(node("Flatten", {prefix + "/nhwc"}, prefix + "/flat", prefix + "/Flatten"), "axis", 1);
    current_ = prefix + "/flat";
    nchw_ = false;
  }

  // Integer weights as an int8 initializer read through DequantizeLinear, in
  // ONNX order given by `order` (onnx index -> the DeployModel's flat index).
  std::string weights(const DeployOp& op, const std::string& prefix, const std::vector<int64_t>& dims,
                      const std::vector<int64_t>& order) {
    const DeployTensor& w = model_.tensors[size_t(op.inputs[1])];
    if (w.dtype == DType::kFloat32 || w.dtype == DType::kFloat16) {
      std::vector<float> values;
      if (w.dtype == DType::kFloat32) {
        const std::vector<float> ours = tensor_floats(w);
        for (int64_t k : order) values.push_back(ours[size_t(k)]);
        return floats(prefix + ".weights", dims, values);
      }
      std::vector<uint16_t> halves(size_t(w.size())), ordered;
      std::memcpy(halves.data(), w.data.data(), halves.size() * 2);
      for (int64_t k : order) ordered.push_back(halves[size_t(k)]);
      initializer(prefix + ".weights_f16", TensorProto::FLOAT16, dims, raw_bytes(ordered));
      set_int(node("Cast", {prefix + ".weights_f16"}, prefix + ".weights", prefix + "/weights/Cast"), "to",
              TensorProto::FLOAT);
      return prefix + ".weights";
    }
    std::vector<int8_t> ours = tensor_int8(w);
    if (w.dtype == DType::kIndex4) {
      const std::vector<int8_t> codebook = tensor_int8(model_.tensors[size_t(op.inputs[3])]);
      for (int8_t& v : ours) v = codebook[size_t(uint8_t(v))];
    }
    std::vector<int8_t> values;
    for (int64_t k : order) values.push_back(ours[size_t(k)]);
    initializer(prefix + ".weights_q", TensorProto::INT8, dims, raw_bytes(values));
    return dequantize(prefix + ".weights", prefix + ".weights_q", w, TensorProto::INT8);
  }

  // DequantizeLinear of a constant with `tensor`'s scales (per axis 0 when
  // there are several) and zero point.
  std::string dequantize(const std::string& out, const std::string& in, const DeployTensor& tensor, int32_t type) {
    const int64_t n = int64_t(tensor.scales.size());
    const std::vector<int64_t> dims = n > 1 ? std::vector<int64_t>{n} : std::vector<int64_t>{};
    floats(out + "_scale", dims, tensor.scales);
    std::vector<std::string> inputs{in, out + "_scale"};
    if (type == TensorProto::INT8) {
      initializer(out + "_zero_point", TensorProto::INT8, dims,
                  raw_bytes(std::vector<int8_t>(size_t(n), int8_t(tensor.zero_point))));
      inputs.push_back(out + "_zero_point");
    }
    auto* n_dq = node("DequantizeLinear", inputs, out, out + "/DequantizeLinear");
    if (n > 1) set_int(n_dq, "axis", 0);
    return out;
  }

  std::string bias(const DeployOp& op, const std::string& prefix) {
    const DeployTensor& b = model_.tensors[size_t(op.inputs[2])];
    if (b.dtype == DType::kFloat32) return floats(prefix + ".bias", {b.size()}, tensor_floats(b));
    initializer(prefix + ".bias_q", TensorProto::INT32, {b.size()}, raw_bytes(tensor_int32(b)));
    return dequantize(prefix + ".bias", prefix + ".bias_q", b, TensorProto::INT32);
  }

  // Relu or Clip(0, 6) after an FC or convolution.
  void fused(const DeployOp& op, const std::string& prefix) {
    if (op.activation == DeployActivation::kLinear) return;
    if (op.activation == DeployActivation::kRelu) {
      node("Relu", {current_}, prefix + "/relu", prefix + "/Relu");
      current_ = prefix + "/relu";
      return;
    }
    floats(prefix + ".clip_min", {}, {0.0f});
    floats(prefix + ".clip_max", {}, {6.0f});
    node("Clip", {current_, prefix + ".clip_min", prefix + ".clip_max"}, prefix + "/relu6", prefix + "/Clip");
    current_ = prefix + "/relu6";
  }

  // An element-wise function as ONNX nodes.
  void activation(DeployActivation function, float alpha, const std::string& prefix) {
    const std::string out = prefix + "/act";
    switch (function) {
      case DeployActivation::kLinear: node("Identity", {current_}, out, prefix + "/Identity"); break;
      case DeployActivation::kRelu: node("Relu", {current_}, out, prefix + "/Relu"); break;
      case DeployActivation::kRelu6: {
        floats(prefix + ".clip_min", {}, {0.0f});
        floats(prefix + ".clip_max", {}, {6.0f});
        node("Clip", {current_, prefix + ".clip_min", prefix + ".clip_max"}, out, prefix + "/Clip");
        break;
      }
      case DeployActivation::kLeakyRelu: set_float(node("LeakyRelu", {current_}, out, prefix + "/LeakyRelu"), "alpha", alpha); break;
      case DeployActivation::kElu: set_float(node("Elu", {current_}, out, prefix + "/Elu"), "alpha", alpha); break;
      case DeployActivation::kSigmoid: node("Sigmoid", {current_}, out, prefix + "/Sigmoid"); break;
      case DeployActivation::kTanh: node("Tanh", {current_}, out, prefix + "/Tanh"); break;
      case DeployActivation::kSoftplus: node("Softplus", {current_}, out, prefix + "/Softplus"); break;
      case DeployActivation::kSwish:
        node("Sigmoid", {current_}, prefix + "/sigmoid", prefix + "/Sigmoid");
        node("Mul", {current_, prefix + "/sigmoid"}, out, prefix + "/Mul");
        break;
    }
    current_ = out;
  }

  // An integer output tensor: QuantizeLinear then DequantizeLinear (QDQ form).
  void requantize(const DeployTensor& tensor, const std::string& prefix) {
    if (tensor.dtype == DType::kFloat32) return;
    floats(prefix + ".scale", {}, {tensor.scales.at(0)});
    initializer(prefix + ".zero_point", TensorProto::INT8, {}, raw_bytes(std::vector<int8_t>{int8_t(tensor.zero_point)}));
    node("QuantizeLinear", {current_, prefix + ".scale", prefix + ".zero_point"}, prefix + "/q", prefix + "/QuantizeLinear");
    node("DequantizeLinear", {prefix + "/q", prefix + ".scale", prefix + ".zero_point"}, prefix + "/dq",
         prefix + "/DequantizeLinear");
    current_ = prefix + "/dq";
  }

  void export_op(size_t i) {
    const DeployOp& op = model_.ops[i];
    const std::string prefix = "ops" + std::to_string(i);
    const DeployTensor& in = model_.tensors[size_t(op.inputs[0])];
    const DeployTensor& out = model_.tensors[size_t(op.output)];
    for (const DeployTensor* t : {&in, &out}) {
      if (t->dtype == DType::kInt16) {
        throw Error(ErrorKind::kUnsupported, "ops[" + std::to_string(i) + "] (" + op_kind_name(op.kind) + ")",
                    "int16 activations cannot be written in ONNX opset 13 (QuantizeLinear has no int16)");
      }
    }
    switch (op.kind) {
      case OpKind::kQuantize:
      case OpKind::kDequantize:
        break;  // the QDQ pair of the integer tensor is written by requantize
      case OpKind::kFullyConnected: {
        to_flat(prefix);
        const DeployTensor& w = model_.tensors[size_t(op.inputs[1])];
        std::vector<int64_t> order(size_t(w.size()));
        for (size_t k = 0; k < order.size(); ++k) order[k] = int64_t(k);
        const std::string wn = weights(op, prefix, {w.shape[0], w.shape[1]}, order);
        set_int(node("Gemm", {current_, wn, bias(op, prefix)}, prefix + "/gemm", prefix + "/Gemm"), "transB", 1);
        current_ = prefix + "/gemm";
        fused(op, prefix);
        break;
      }
      case OpKind::kConv2D:
      case OpKind::kDepthwiseConv2D: {
        to_nchw(prefix);
        const bool depthwise = op.kind == OpKind::kDepthwiseConv2D;
        const int64_t kh = op.kernel_h, kw = op.kernel_w, c = in.shape[2], f = out.shape[2];
        std::vector<int64_t> order, dims;
        if (depthwise) {  // ours [KH][KW][C*M] -> ONNX [C*M][1][KH][KW]
          for (int64_t o = 0; o < f; ++o) {
            for (int64_t t = 0; t < kh * kw; ++t) order.push_back(t * f + o);
          }
          dims = {f, 1, kh, kw};
        } else {  // ours [F][KH][KW][C] -> ONNX [F][C][KH][KW]
          for (int64_t o = 0; o < f; ++o) {
            for (int64_t ch = 0; ch < c; ++ch) {
              for (int64_t t = 0; t < kh * kw; ++t) order.push_back((o * kh * kw + t) * c + ch);
            }
          }
          dims = {f, c, kh, kw};
        }
        const std::string wn = weights(op, prefix, dims, order);
        auto* n = node("Conv", {current_, wn, bias(op, prefix)}, prefix + "/conv", prefix + "/Conv");
        set_ints(n, "kernel_shape", {kh, kw});
        set_ints(n, "strides", {op.stride_h, op.stride_w});
        set_ints(n, "pads", {op.pad_top, op.pad_left, pad_end(in.shape[0], out.shape[0], kh, op.stride_h, op.pad_top),
                             pad_end(in.shape[1], out.shape[1], kw, op.stride_w, op.pad_left)});
        if (depthwise) set_int(n, "group", c);
        current_ = prefix + "/conv";
        fused(op, prefix);
        break;
      }
      case OpKind::kMaxPool:
      case OpKind::kAvgPool: {
        to_nchw(prefix);
        const bool max = op.kind == OpKind::kMaxPool;
        auto* n = node(max ? "MaxPool" : "AveragePool", {current_}, prefix + "/pool", prefix + (max ? "/MaxPool" : "/AveragePool"));
        set_ints(n, "kernel_shape", {op.kernel_h, op.kernel_w});
        set_ints(n, "strides", {op.stride_h, op.stride_w});
        current_ = prefix + "/pool";
        break;
      }
      case OpKind::kActivation:
      case OpKind::kLookup:
        activation(op.activation, op.alpha, prefix);
        break;
      case OpKind::kSoftmax:
        to_flat(prefix);
        set_int(node("Softmax", {current_}, prefix + "/softmax", prefix + "/Softmax"), "axis", 1);
        current_ = prefix + "/softmax";
        break;
      case OpKind::kCount:
        break;
    }
    requantize(out, prefix);
    shape_ = out.shape;
  }

  static int64_t pad_end(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t before) {
    return std::max<int64_t>((out - 1) * stride + kernel - in - before, 0);
  }

  const DeployModel& model_;
  onnx::ModelProto proto_;
  onnx::GraphProto* graph_;
  std::string current_;
  std::vector<int> shape_;  // the DeployModel shape of current_
  bool nchw_ = false;
};

}  // namespace

std::string export_onnx(const DeployModel& model) { return OnnxExporter(model).run(); }

void save_onnx(const DeployModel& model, const std::filesystem::path& path) {
  write_file_atomic(path, export_onnx(model));
}

}  // namespace tinymlops

#include "tinymlops/runtime/lower.h"

#include <cmath>
#include <set>

#include "tinymlops/core/error.h"
#include "tinymlops/nn/layers.h"

namespace tinymlops {

namespace {

const Param& param_named(Layer& layer, const std::string& name) {
  for (Param* p : layer.params()) {
    if (p->name == name) return *p;
  }
  throw Error(ErrorKind::kInvalid, layer_kind_name(layer.kind()), "has no tensor '" + name + "'");
}

// Shape of a tensor as the kernels see it: images {H, W, C}, sequences {1, L, C}.
std::vector<int> as_image(const Shape& shape) {
  if (shape.rank() == 2) return {1, shape.dims[0], shape.dims[1]};
  return shape.dims;
}

DeployActivation deploy_activation(ActivationKind kind) {
  switch (kind) {
    case ActivationKind::kLinear: return DeployActivation::kLinear;
    case ActivationKind::kRelu: return DeployActivation::kRelu;
    case ActivationKind::kRelu6: return DeployActivation::kRelu6;
    case ActivationKind::kLeakyRelu: return DeployActivation::kLeakyRelu;
    case ActivationKind::kElu: return DeployActivation::kElu;
    case ActivationKind::kSigmoid: return DeployActivation::kSigmoid;
    case ActivationKind::kTanh: return DeployActivation::kTanh;
    case ActivationKind::kSoftplus: return DeployActivation::kSoftplus;
    case ActivationKind::kSwish: return DeployActivation::kSwish;
    default: break;
  }
  throw Error(ErrorKind::kInvalid, "", "activation has no element-wise kernel");
}

class Lowering {
 public:
  explicit Lowering(Model& model) : model_(model) {}

  // Fills `op_layers` (if given) as lower_model documents.
  DeployModel run(std::vector<size_t>* op_layers) {
    out_.metadata = model_.metadata;
    out_.variant = "float32";
    current_ = out_.add_tensor({"input", DType::kFloat32, as_image(model_.input_shape()), {}, 0, {}});
    out_.input = current_;
    if (op_layers) op_layers->clear();
    for (size_t i = 0; i < model_.num_layers(); ++i) {
      lower_layer(i);
      // Layers folded into layer i's op are the consecutive ones after it.
      size_t last = i;
      while (folded_.count(last + 1)) ++last;
      if (op_layers) op_layers->resize(out_.ops.size(), last);
    }
    out_.output = current_;
    out_.validate("lowering");
    return std::move(out_);
  }

 private:
  [[noreturn]] void fail(size_t i, const std::string& message) {
    throw Error(ErrorKind::kInvalid, "layers[" + std::to_string(i) + "] (" +
                                         layer_kind_name(model_.layer(i).kind()) + ")",
                message);
  }

  int activation_tensor(const std::vector<int>& shape) {
    const std::string name = "t" + std::to_string(out_.ops.size());
    return out_.add_tensor({name, DType::kFloat32, shape, {}, 0, {}});
  }

  int constant(const std::string& name, const std::vector<int>& shape, const std::vector<float>& values) {
    return out_.add_tensor({name, DType::kFloat32, shape, {}, 0, bytes_of(values)});
  }

  // Appends an op reading current_ and writing a new tensor of `shape`.
  DeployOp& add_op(OpKind kind, const std::vector<int>& shape, std::vector<int> constants = {}) {
    DeployOp op;
    op.kind = kind;
    op.inputs = {current_};
    op.inputs.insert(op.inputs.end(), constants.begin(), constants.end());
    op.output = activation_tensor(shape);
    current_ = op.output;
    out_.ops.push_back(op);
    return out_.ops.back();
  }

  // The BatchNorm right after layer i, if any: per-channel y = a * x + b.
  bool next_batch_norm(size_t i, std::vector<float>* a, std::vector<float>* b) {
    if (i + 1 >= model_.num_layers() || model_.layer(i + 1).kind() != LayerKind::kBatchNorm) return false;
    Layer& bn = model_.layer(i + 1);
    const float epsilon = bn.config().at("epsilon").get<float>();
    const Param& gamma = param_named(bn, "gamma");
    const Param& beta = param_named(bn, "beta");
    const Param& mean = param_named(bn, "running_mean");
    const Param& var = param_named(bn, "running_var");
    for (Eigen::Index c = 0; c < gamma.value.size(); ++c) {
      const double scale = gamma.value[c] / std::sqrt(static_cast<double>(var.value[c]) + epsilon);
      a->push_back(static_cast<float>(scale));
      b->push_back(static_cast<float>(beta.value[c] - scale * mean.value[c]));
    }
    folded_.insert(i + 1);
    return true;
  }

  // Weights given as w(k, c) for output channel c; returns them folded with the
  // BatchNorm after layer i (if any) and fills the bias.
  template <typename WeightAt>
  void fold(size_t i, int channels, int64_t per_channel, WeightAt weight_at, const Param& bias,
            std::vector<std::vector<float>>* weights, std::vector<float>* folded_bias) {
    std::vector<float> a, b;
    const bool has_bn = next_batch_norm(i, &a, &b);
    weights->assign(static_cast<size_t>(channels), std::vector<float>(static_cast<size_t>(per_channel)));
    folded_bias->resize(static_cast<size_t>(channels));
    for (int c = 0; c < channels; ++c) {
      const float scale = has_bn ? a[static_cast<size_t>(c)] : 1.0f;
      for (int64_t k = 0; k < per_channel; ++k) (*weights)[static_cast<size_t>(c)][static_cast<size_t>(k)] = weight_at(k, c) * scale;
      (*folded_bias)[static_cast<size_t>(c)] = bias.value[c] * scale + (has_bn ? b[static_cast<size_t>(c)] : 0.0f);
    }
  }

  void lower_layer(size_t i) {
    if (folded_.count(i)) return;
    Layer& layer = model_.layer(i);
    const nlohmann::json config = layer.config();
    const Shape out_shape = layer.output_shape();
    const std::string name = "layers" + std::to_string(i);
    switch (layer.kind()) {
      case LayerKind::kDense: {
        const Param& w = param_named(layer, "weights");
        const int in = w.shape[0], units = w.shape[1];
        std::vector<std::vector<float>> rows;
        std::vector<float> bias;
        fold(i, units, in, [&](int64_t k, int c) { return w.value[k * units + c]; }, param_named(layer, "bias"),
             &rows, &bias);
        std::vector<float> flat;
        for (const auto& row : rows) flat.insert(flat.end(), row.begin(), row.end());
        int wt = constant(name + ".weights", {units, in}, flat);
        int bt = constant(name + ".bias", {units}, bias);
        add_op(OpKind::kFullyConnected, {units}, {wt, bt});
        fuse_activation(i);
        return;
      }
      case LayerKind::kConv1D:
      case LayerKind::kConv2D:
      case LayerKind::kDepthwiseConv2D: {
        lower_convolution(i, layer, config, out_shape, name);
        fuse_activation(i);
        return;
      }
      case LayerKind::kMaxPool:
      case LayerKind::kAvgPool:
      case LayerKind::kGlobalAvgPool: {
        const std::vector<int> in = as_image(layer.input_shape());
        const std::vector<int> out = as_image(out_shape.rank() == 1 ? Shape{{1, 1, out_shape.dims[0]}} : out_shape);
        const bool global = layer.kind() == LayerKind::kGlobalAvgPool;
        const bool sequence = layer.input_shape().rank() == 2;
        DeployOp& op = add_op(layer.kind() == LayerKind::kMaxPool ? OpKind::kMaxPool : OpKind::kAvgPool, out);
        if (global) {
          op.kernel_h = in[0], op.kernel_w = in[1], op.stride_h = in[0], op.stride_w = in[1];
        } else if (sequence) {
          op.kernel_h = 1, op.kernel_w = config.at("pool").at(0).get<int>();
          op.stride_h = 1, op.stride_w = config.at("stride").at(0).get<int>();
        } else {
          op.kernel_h = config.at("pool").at(0).get<int>(), op.kernel_w = config.at("pool").at(1).get<int>();
          op.stride_h = config.at("stride").at(0).get<int>(), op.stride_w = config.at("stride").at(1).get<int>();
        }
        return;
      }
      case LayerKind::kFlatten:
      case LayerKind::kDropout:
        return;
      case LayerKind::kBatchNorm:
        fail(i, "a batchnorm must follow a dense or convolution layer to be deployed (it is folded into it)");
      case LayerKind::kActivation: {
        const auto function = static_cast<ActivationKind>(
            lookup_activation_or_throw(config.at("function").get<std::string>()));
        const std::vector<int> shape = out_.tensors[static_cast<size_t>(current_)].shape;
        if (function == ActivationKind::kSoftmax) {
          add_op(OpKind::kSoftmax, shape);
          return;
        }
        if (function == ActivationKind::kLinear) return;
        DeployOp& op = add_op(OpKind::kActivation, shape);
        op.activation = deploy_activation(function);
        op.alpha = config.contains("alpha") ? config.at("alpha").get<float>() : 0.0f;
        return;
      }
      case LayerKind::kCount: break;
    }
    fail(i, "cannot be lowered");
  }

  static ActivationKind lookup_activation_or_throw(const std::string& name) {
    ActivationKind kind;
    if (!lookup_activation(name, &kind)) throw Error(ErrorKind::kInvalid, "", "unknown activation '" + name + "'");
    return kind;
  }

  // A ReLU or ReLU6 right after layer i (or after its folded BatchNorm) becomes
  // the clamp of the op just added.
  void fuse_activation(size_t i) {
    size_t next = folded_.count(i + 1) ? i + 2 : i + 1;
    if (next >= model_.num_layers() || model_.layer(next).kind() != LayerKind::kActivation) return;
    const ActivationKind kind = lookup_activation_or_throw(model_.layer(next).config().at("function").get<std::string>());
    if (kind != ActivationKind::kRelu && kind != ActivationKind::kRelu6) return;
    out_.ops.back().activation = deploy_activation(kind);
    folded_.insert(next);
  }

  void lower_convolution(size_t i, Layer& layer, const nlohmann::json& config, const Shape& out_shape,
                         const std::string& name) {
    const std::vector<int> in = as_image(layer.input_shape());
    const std::vector<int> out = as_image(out_shape);
    const bool sequence = layer.kind() == LayerKind::kConv1D;
    const bool depthwise = layer.kind() == LayerKind::kDepthwiseConv2D;
    const int kh = sequence ? 1 : config.at("kernel").at(0).get<int>();
    const int kw = sequence ? config.at("kernel").get<int>() : config.at("kernel").at(1).get<int>();
    const int sh = sequence ? 1 : config.at("stride").at(0).get<int>();
    const int sw = sequence ? config.at("stride").get<int>() : config.at("stride").at(1).get<int>();
    const Padding padding = parse_padding(config.at("padding").get<std::string>(), name);
    int oh = 0, ow = 0, pad_top = 0, pad_left = 0;
    axis_geometry(in[0], kh, sh, padding, &oh, &pad_top);
    axis_geometry(in[1], kw, sw, padding, &ow, &pad_left);
    const Param& w = param_named(layer, "weights");
    const int channels = in[2], filters = out[2];
    const int64_t taps = int64_t{kh} * kw;
    std::vector<std::vector<float>> per_filter;
    std::vector<float> bias;
    if (depthwise) {
      // Training layout {KH, KW, C, M} is already [ky][kx][c * M + m]; per output channel o: w[t * C*M + o].
      fold(i, filters, taps, [&](int64_t t, int o) { return w.value[t * filters + o]; }, param_named(layer, "bias"),
           &per_filter, &bias);
    } else {
      // Training layout {KH, KW, C, F}: w[(t * C + c) * F + f]; kernel layout [f][ky][kx][c].
      fold(i, filters, taps * channels, [&](int64_t k, int f) { return w.value[k * filters + f]; },
           param_named(layer, "bias"), &per_filter, &bias);
    }
    std::vector<float> flat;
    std::vector<int> weight_shape;
    if (depthwise) {
      flat.resize(static_cast<size_t>(taps * filters));
      for (int o = 0; o < filters; ++o) {
        for (int64_t t = 0; t < taps; ++t) flat[static_cast<size_t>(t * filters + o)] = per_filter[static_cast<size_t>(o)][static_cast<size_t>(t)];
      }
      weight_shape = {kh, kw, filters};
    } else {
      for (const auto& f : per_filter) flat.insert(flat.end(), f.begin(), f.end());
      weight_shape = {filters, kh, kw, channels};
    }
    int wt = constant(name + ".weights", weight_shape, flat);
    int bt = constant(name + ".bias", {filters}, bias);
    DeployOp& op = add_op(depthwise ? OpKind::kDepthwiseConv2D : OpKind::kConv2D, {oh, ow, filters}, {wt, bt});
    op.kernel_h = kh, op.kernel_w = kw, op.stride_h = sh, op.stride_w = sw, op.pad_top = pad_top, op.pad_left = pad_left;
  }

  Model& model_;
  DeployModel out_;
  int current_ = -1;
  std::set<size_t> folded_;
};

}  // namespace

DeployModel lower_model(Model& model, std::vector<size_t>* op_layers) { return Lowering(model).run(op_layers); }

}  // namespace tinymlops

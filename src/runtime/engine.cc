#include "tinymlops/runtime/engine.h"

#include <cstring>

#include "tinymlops/core/error.h"
#include "tinymlops/runtime/quant_math.h"
#include "tml_activation.h"
#include "tml_conv.h"
#include "tml_fully_connected.h"
#include "tml_pool.h"
#include "tml_quantize.h"

namespace tinymlops {

namespace {

tml_conv_shape conv_shape(const DeployTensor& x, const DeployTensor& y, const DeployOp& op) {
  return {x.shape[0],  x.shape[1],  x.shape[2],  y.shape[0],  y.shape[1],  y.shape[2],
          op.kernel_h, op.kernel_w, op.stride_h, op.stride_w, op.pad_top, op.pad_left};
}

tml_pool_shape pool_shape(const DeployTensor& x, const DeployTensor& y, const DeployOp& op) {
  return {x.shape[0], x.shape[1], x.shape[2], y.shape[0], y.shape[1], op.kernel_h, op.kernel_w, op.stride_h,
          op.stride_w};
}

}  // namespace

ReferenceEngine::ReferenceEngine(const DeployModel& model) : model_(model) {
  buffers_.resize(model.tensors.size());
  for (size_t t = 0; t < model.tensors.size(); ++t) {
    const DeployTensor& tensor = model.tensors[t];
    if (!tensor.is_constant()) buffers_[t].assign(static_cast<size_t>(data_bytes(tensor.dtype, tensor.size())), '\0');
  }
  for (const DeployOp& op : model.ops) {
    OpParams p;
    const DType dtype = model.tensors[static_cast<size_t>(op.inputs[0])].dtype;
    if (op.kind == OpKind::kFullyConnected || op.kind == OpKind::kConv2D || op.kind == OpKind::kDepthwiseConv2D) {
      if (dtype == DType::kInt8) {
        p.requant = op_requant_packed(model, op);
        p.q8 = op_q8_params(model, op);
      } else if (dtype == DType::kInt16) {
        p.requant = op_requant_packed(model, op);
        p.q16 = op_q16_params(model, op);
      } else {
        float_clamp(op.activation, &p.low, &p.high);
      }
    }
    if (op.kind == OpKind::kLookup && dtype == DType::kInt8) p.table = lookup_table(model, op);
    if (op.kind == OpKind::kLookup && dtype == DType::kInt16) p.table16 = lookup_table_s16(model, op);
    params_.push_back(std::move(p));
  }
}

void ReferenceEngine::run(const float* normalized_input) {
  std::memcpy(buffers_[static_cast<size_t>(model_.input)].data(), normalized_input,
              static_cast<size_t>(model_.input_size()) * sizeof(float));
  for (size_t i = 0; i < model_.ops.size(); ++i) run_op(i);
}

void ReferenceEngine::run_op(size_t index) {
  const DeployOp& op = model_.ops[index];
  const OpParams& p = params_[index];
  const DeployTensor& x = model_.tensors[static_cast<size_t>(op.inputs[0])];
  const DeployTensor& y = model_.tensors[static_cast<size_t>(op.output)];
  const char* in = buffers_[static_cast<size_t>(op.inputs[0])].data();
  char* out = buffers_[static_cast<size_t>(op.output)].data();
  const auto f32_in = reinterpret_cast<const float*>(in);
  const auto s8_in = reinterpret_cast<const int8_t*>(in);
  const auto f32_out = reinterpret_cast<float*>(out);
  const auto s8_out = reinterpret_cast<int8_t*>(out);
  const bool int8 = x.dtype == DType::kInt8;
  const int count = static_cast<int>(x.size());
  if (x.dtype == DType::kInt16 || (op.kind == OpKind::kQuantize && y.dtype == DType::kInt16)) {
    run_int16_op(op, p, in, out);
    return;
  }
  // Constants: weights and bias (FC and convolutions).
  const char* w = op.inputs.size() > 1 ? model_.tensors[static_cast<size_t>(op.inputs[1])].data.data() : nullptr;
  const char* b = op.inputs.size() > 2 ? model_.tensors[static_cast<size_t>(op.inputs[2])].data.data() : nullptr;
  switch (op.kind) {
    case OpKind::kQuantize:
      tml_quantize_s8(f32_in, count, 1.0f / y.scales[0], y.zero_point, s8_out);
      return;
    case OpKind::kDequantize:
      tml_dequantize_s8(s8_in, count, x.scales[0], x.zero_point, f32_out);
      return;
    case OpKind::kFullyConnected:
      if (int8 && op.inputs.size() == 4) {
        tml_fully_connected_codebook_s8(
            s8_in, count, reinterpret_cast<const uint8_t*>(w),
            reinterpret_cast<const int8_t*>(model_.tensors[static_cast<size_t>(op.inputs[3])].data.data()),
            reinterpret_cast<const int32_t*>(b), static_cast<int>(y.size()), p.requant.data(), &p.q8, s8_out);
      } else if (int8 && model_.tensors[static_cast<size_t>(op.inputs[1])].dtype == DType::kSparse8) {
        const DeployTensor& weights = model_.tensors[static_cast<size_t>(op.inputs[1])];
        tml_fully_connected_sparse_s8(s8_in, count, reinterpret_cast<const uint8_t*>(w),
                                      reinterpret_cast<const int8_t*>(w + data_bytes(DType::kSparse8, weights.size())),
                                      reinterpret_cast<const int32_t*>(b), static_cast<int>(y.size()),
                                      p.requant.data(), &p.q8, s8_out);
      } else if (int8 && model_.tensors[static_cast<size_t>(op.inputs[1])].dtype == DType::kInt4) {
        tml_fully_connected_s4(s8_in, count, reinterpret_cast<const uint8_t*>(w), reinterpret_cast<const int32_t*>(b),
                               static_cast<int>(y.size()), p.requant.data(), &p.q8,
                               s8_out);
      } else if (int8) {
        tml_fully_connected_s8(s8_in, count, reinterpret_cast<const int8_t*>(w), reinterpret_cast<const int32_t*>(b),
                               static_cast<int>(y.size()), p.requant.data(), &p.q8,
                               s8_out);
      } else if (model_.tensors[static_cast<size_t>(op.inputs[1])].dtype == DType::kFloat16) {
        tml_fully_connected_f16w(f32_in, count, reinterpret_cast<const uint16_t*>(w),
                                 reinterpret_cast<const float*>(b), static_cast<int>(y.size()), p.low, p.high, f32_out);
      } else if (model_.tensors[static_cast<size_t>(op.inputs[1])].dtype == DType::kInt8) {
        tml_fully_connected_w8(f32_in, count, reinterpret_cast<const int8_t*>(w),
                               model_.tensors[static_cast<size_t>(op.inputs[1])].scales.data(),
                               reinterpret_cast<const float*>(b), static_cast<int>(y.size()), p.low, p.high, f32_out);
      } else {
        tml_fully_connected_f32(f32_in, count, reinterpret_cast<const float*>(w), reinterpret_cast<const float*>(b),
                                static_cast<int>(y.size()), p.low, p.high, f32_out);
      }
      return;
    case OpKind::kConv2D:
    case OpKind::kDepthwiseConv2D:
      run_conv_op(op, p, in, out);
      return;
    case OpKind::kMaxPool:
    case OpKind::kAvgPool: {
      const tml_pool_shape shape = pool_shape(x, y, op);
      const bool max = op.kind == OpKind::kMaxPool;
      if (int8) {
        if (max) tml_max_pool_s8(s8_in, &shape, s8_out);
        else tml_avg_pool_s8(s8_in, &shape, s8_out);
      } else {
        if (max) tml_max_pool_f32(f32_in, &shape, f32_out);
        else tml_avg_pool_f32(f32_in, &shape, f32_out);
      }
      return;
    }
    case OpKind::kActivation:
      tml_activation_f32(f32_in, count, static_cast<tml_activation>(op.activation), op.alpha, f32_out);
      return;
    case OpKind::kLookup:
      tml_lookup_s8(s8_in, count, p.table.data(), s8_out);
      return;
    case OpKind::kSoftmax:
      tml_softmax_f32(f32_in, count, f32_out);
      return;
    case OpKind::kCount:
      break;
  }
  throw Error(ErrorKind::kInvalid, "engine", "bad op kind");
}

// Convolutions with int8 or float32 activations. The weights' dtype picks the
// kernel: int8 activations take int8, int4, index4 (with the codebook, the
// op's fourth input) or sparse8 (Conv2D only) weights; float32 ones float32,
// float16 or weight-only int8 (with its per-channel scales).
void ReferenceEngine::run_conv_op(const DeployOp& op, const OpParams& p, const char* in, char* out) {
  const DeployTensor& x = model_.tensors[static_cast<size_t>(op.inputs[0])];
  const DeployTensor& y = model_.tensors[static_cast<size_t>(op.output)];
  const DeployTensor& weights = model_.tensors[static_cast<size_t>(op.inputs[1])];
  const tml_conv_shape shape = conv_shape(x, y, op);
  const bool depthwise = op.kind == OpKind::kDepthwiseConv2D;
  const char* w = weights.data.data();
  const char* b = model_.tensors[static_cast<size_t>(op.inputs[2])].data.data();
  const auto packed = reinterpret_cast<const uint8_t*>(w);
  if (x.dtype == DType::kInt8) {
    const auto s8_in = reinterpret_cast<const int8_t*>(in);
    const auto s8_out = reinterpret_cast<int8_t*>(out);
    const auto bs = reinterpret_cast<const int32_t*>(b);
    const int32_t* requant = p.requant.data();
    switch (weights.dtype) {
      case DType::kInt4:
        if (depthwise) tml_depthwise_conv2d_s4(s8_in, &shape, packed, bs, requant, &p.q8, s8_out);
        else tml_conv2d_s4(s8_in, &shape, packed, bs, requant, &p.q8, s8_out);
        return;
      case DType::kIndex4: {
        const auto codebook =
            reinterpret_cast<const int8_t*>(model_.tensors[static_cast<size_t>(op.inputs[3])].data.data());
        if (depthwise)
          tml_depthwise_conv2d_codebook_s8(s8_in, &shape, packed, codebook, bs, requant, &p.q8, s8_out);
        else
          tml_conv2d_codebook_s8(s8_in, &shape, packed, codebook, bs, requant, &p.q8, s8_out);
        return;
      }
      case DType::kSparse8: {  // Conv2D only (validate)
        const auto values = reinterpret_cast<const int8_t*>(w + data_bytes(DType::kSparse8, weights.size()));
        tml_conv2d_sparse_s8(s8_in, &shape, packed, values, bs, requant, &p.q8, s8_out);
        return;
      }
      default: {
        const auto ws = reinterpret_cast<const int8_t*>(w);
        if (depthwise) tml_depthwise_conv2d_s8(s8_in, &shape, ws, bs, requant, &p.q8, s8_out);
        else tml_conv2d_s8(s8_in, &shape, ws, bs, requant, &p.q8, s8_out);
        return;
      }
    }
  }
  const auto f32_in = reinterpret_cast<const float*>(in);
  const auto f32_out = reinterpret_cast<float*>(out);
  const auto bs = reinterpret_cast<const float*>(b);
  if (weights.dtype == DType::kFloat16) {
    const auto ws = reinterpret_cast<const uint16_t*>(w);
    if (depthwise) tml_depthwise_conv2d_f16w(f32_in, &shape, ws, bs, p.low, p.high, f32_out);
    else tml_conv2d_f16w(f32_in, &shape, ws, bs, p.low, p.high, f32_out);
  } else if (weights.dtype == DType::kInt8) {
    const auto ws = reinterpret_cast<const int8_t*>(w);
    const float* scales = weights.scales.data();
    if (depthwise) tml_depthwise_conv2d_w8(f32_in, &shape, ws, scales, bs, p.low, p.high, f32_out);
    else tml_conv2d_w8(f32_in, &shape, ws, scales, bs, p.low, p.high, f32_out);
  } else {
    const auto ws = reinterpret_cast<const float*>(w);
    if (depthwise) tml_depthwise_conv2d_f32(f32_in, &shape, ws, bs, p.low, p.high, f32_out);
    else tml_conv2d_f32(f32_in, &shape, ws, bs, p.low, p.high, f32_out);
  }
}

// int16x8 ops: the int16 kernels, and Quantize to int16.
void ReferenceEngine::run_int16_op(const DeployOp& op, const OpParams& p, const char* in, char* out) {
  const DeployTensor& x = model_.tensors[static_cast<size_t>(op.inputs[0])];
  const DeployTensor& y = model_.tensors[static_cast<size_t>(op.output)];
  const auto s16_in = reinterpret_cast<const int16_t*>(in);
  const auto s16_out = reinterpret_cast<int16_t*>(out);
  const int count = static_cast<int>(x.size());
  const auto constant = [&](size_t input) { return model_.tensors[static_cast<size_t>(op.inputs[input])].data.data(); };
  switch (op.kind) {
    case OpKind::kQuantize:
      tml_quantize_s16(reinterpret_cast<const float*>(in), count, 1.0f / y.scales[0], s16_out);
      return;
    case OpKind::kDequantize:
      tml_dequantize_s16(s16_in, count, x.scales[0], reinterpret_cast<float*>(out));
      return;
    case OpKind::kFullyConnected:
      tml_fully_connected_s16(s16_in, count, reinterpret_cast<const int8_t*>(constant(1)),
                              reinterpret_cast<const int64_t*>(constant(2)), static_cast<int>(y.size()),
                              p.requant.data(), &p.q16, s16_out);
      return;
    case OpKind::kConv2D:
    case OpKind::kDepthwiseConv2D: {
      const tml_conv_shape shape = conv_shape(x, y, op);
      const auto ws = reinterpret_cast<const int8_t*>(constant(1));
      const auto bs = reinterpret_cast<const int64_t*>(constant(2));
      if (op.kind == OpKind::kDepthwiseConv2D) {
        tml_depthwise_conv2d_s16(s16_in, &shape, ws, bs, p.requant.data(), &p.q16,
                                 s16_out);
      } else {
        tml_conv2d_s16(s16_in, &shape, ws, bs, p.requant.data(), &p.q16, s16_out);
      }
      return;
    }
    case OpKind::kMaxPool:
    case OpKind::kAvgPool: {
      const tml_pool_shape shape = pool_shape(x, y, op);
      if (op.kind == OpKind::kMaxPool) tml_max_pool_s16(s16_in, &shape, s16_out);
      else tml_avg_pool_s16(s16_in, &shape, s16_out);
      return;
    }
    case OpKind::kLookup:
      tml_lookup_s16(s16_in, count, p.table16.data(), s16_out);
      return;
    default:
      break;
  }
  throw Error(ErrorKind::kInvalid, "engine", std::string("no int16 kernel for ") + op_kind_name(op.kind));
}

const std::string& ReferenceEngine::tensor_bytes(int tensor) const {
  const DeployTensor& t = model_.tensors[static_cast<size_t>(tensor)];
  return t.is_constant() ? t.data : buffers_[static_cast<size_t>(tensor)];
}

std::vector<float> ReferenceEngine::tensor_values(int tensor) const {
  const DeployTensor& t = model_.tensors[static_cast<size_t>(tensor)];
  const std::string& bytes = tensor_bytes(tensor);
  std::vector<float> values(static_cast<size_t>(t.size()));
  if (t.dtype == DType::kFloat32) {
    std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
  } else if (t.dtype == DType::kInt8) {
    for (size_t i = 0; i < values.size(); ++i) {
      values[i] = t.scales[t.scales.size() == 1 ? 0 : i % t.scales.size()] *
                  static_cast<float>(static_cast<int8_t>(bytes[i]) - t.zero_point);
    }
  } else if (t.dtype == DType::kInt16) {
    for (size_t i = 0; i < values.size(); ++i) {
      int16_t q;
      std::memcpy(&q, bytes.data() + 2 * i, sizeof q);
      values[i] = t.scales[0] * static_cast<float>(q);
    }
  } else if (t.dtype == DType::kInt64) {
    std::vector<int64_t> ints(values.size());
    std::memcpy(ints.data(), bytes.data(), ints.size() * sizeof(int64_t));
    for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(ints[i]);
  } else {
    std::vector<int32_t> ints(values.size());
    std::memcpy(ints.data(), bytes.data(), ints.size() * sizeof(int32_t));
    for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(ints[i]);
  }
  return values;
}

Matrix ReferenceEngine::predict(const Matrix& raw_features) {
  Matrix inputs = raw_features;
  model_.metadata.normalization.apply(inputs);
  const Eigen::Index outputs = static_cast<Eigen::Index>(model_.output_size());
  Matrix result(inputs.rows(), outputs);
  for (Eigen::Index r = 0; r < inputs.rows(); ++r) {
    run(inputs.row(r).data());
    std::vector<float> values = tensor_values(model_.output);
    for (Eigen::Index j = 0; j < outputs; ++j) result(r, j) = values[static_cast<size_t>(j)];
  }
  return result;
}

}  // namespace tinymlops

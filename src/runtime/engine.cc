#include "tinymlops/runtime/engine.h"

#include <cstring>

#include "tinymlops/core/error.h"
#include "tinymlops/runtime/quant_math.h"

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
  // What the kernel's arguments need, computed once per op (TFLM's Prepare).
  for (const DeployOp& op : model.ops) {
    OpParams p;
    p.kernel = &select_kernel(model, op);
    const DeployTensor& x = model.tensors[static_cast<size_t>(op.inputs[0])];
    const DeployTensor& y = model.tensors[static_cast<size_t>(op.output)];
    for (KernelArg arg : p.kernel->args) {
      switch (arg) {
        case KernelArg::kRequant: p.requant = op_requant_packed(model, op); break;
        case KernelArg::kQ8Params: p.q8 = op_q8_params(model, op); break;
        case KernelArg::kQ16Params: p.q16 = op_q16_params(model, op); break;
        case KernelArg::kClampLow: float_clamp(op.activation, &p.low, &p.high); break;
        case KernelArg::kShape:
          if (is_pooling(op.kind)) p.pool_shape = pool_shape(x, y, op);
          else p.conv_shape = conv_shape(x, y, op);
          break;
        case KernelArg::kTable:
          if (x.dtype == DType::kInt16) p.table16 = lookup_table_s16(model, op);
          else p.table = lookup_table(model, op);
          break;
        default: break;
      }
    }
    params_.push_back(std::move(p));
  }
}

void ReferenceEngine::run(const float* normalized_input) {
  std::memcpy(buffers_[static_cast<size_t>(model_.input)].data(), normalized_input,
              static_cast<size_t>(model_.input_size()) * sizeof(float));
  for (size_t i = 0; i < model_.ops.size(); ++i) {
    const std::vector<KernelArg>& kinds = params_[i].kernel->args;
    std::array<KernelArgValue, kMaxKernelArgs> args;
    for (size_t a = 0; a < kinds.size(); ++a) args[a] = argument(kinds[a], i);
    params_[i].kernel->host(args.data());
  }
}

KernelArgValue ReferenceEngine::argument(KernelArg arg, size_t index) {
  const DeployOp& op = model_.ops[index];
  OpParams& p = params_[index];
  const DeployTensor& x = model_.tensors[static_cast<size_t>(op.inputs[0])];
  const DeployTensor& y = model_.tensors[static_cast<size_t>(op.output)];
  // The kernels take constants as const pointers; KernelArgValue holds them without.
  const auto constant = [&](size_t input) {
    return const_cast<char*>(model_.tensors[static_cast<size_t>(op.inputs[input])].data.data());
  };
  KernelArgValue value{};
  switch (arg) {
    case KernelArg::kInput: value.pointer = buffers_[static_cast<size_t>(op.inputs[0])].data(); break;
    case KernelArg::kOutput: value.pointer = buffers_[static_cast<size_t>(op.output)].data(); break;
    case KernelArg::kCount: value.integer = static_cast<int32_t>(x.size()); break;
    case KernelArg::kOutputCount: value.integer = static_cast<int32_t>(y.size()); break;
    case KernelArg::kShape:
      if (is_pooling(op.kind)) value.pointer = &p.pool_shape;
      else value.pointer = &p.conv_shape;
      break;
    case KernelArg::kWeights: value.pointer = constant(1); break;
    case KernelArg::kSparseValues: {
      const DeployTensor& weights = model_.tensors[static_cast<size_t>(op.inputs[1])];
      value.pointer = constant(1) + data_bytes(DType::kSparse8, weights.size());
      break;
    }
    case KernelArg::kWeightScales:
      value.pointer = const_cast<float*>(model_.tensors[static_cast<size_t>(op.inputs[1])].scales.data());
      break;
    case KernelArg::kCodebook: value.pointer = constant(3); break;
    case KernelArg::kBias: value.pointer = constant(2); break;
    case KernelArg::kRequant: value.pointer = p.requant.data(); break;
    case KernelArg::kQ8Params: value.pointer = &p.q8; break;
    case KernelArg::kQ16Params: value.pointer = &p.q16; break;
    case KernelArg::kClampLow: value.real = p.low; break;
    case KernelArg::kClampHigh: value.real = p.high; break;
    case KernelArg::kOutputInverseScale: value.real = 1.0f / y.scales[0]; break;
    case KernelArg::kOutputZeroPoint: value.integer = y.zero_point; break;
    case KernelArg::kInputScale: value.real = x.scales[0]; break;
    case KernelArg::kInputZeroPoint: value.integer = x.zero_point; break;
    case KernelArg::kActivation: value.integer = static_cast<int32_t>(op.activation); break;
    case KernelArg::kAlpha: value.real = op.alpha; break;
    case KernelArg::kTable:
      if (x.dtype == DType::kInt16) value.pointer = p.table16.data();
      else value.pointer = p.table.data();
      break;
  }
  return value;
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

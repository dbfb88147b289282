#include "tinymlops/runtime/kernel_table.h"

#include <string>
#include <type_traits>
#include <utility>

#include "tinymlops/core/error.h"
#include "tml_activation.h"
#include "tml_conv.h"
#include "tml_conv_dsp.h"
#include "tml_fully_connected.h"
#include "tml_fully_connected_avr.h"
#include "tml_fully_connected_dsp.h"
#include "tml_pool.h"
#include "tml_pool_dsp.h"
#include "tml_quantize.h"

namespace tinymlops {

namespace {

// One argument value as the parameter type T of a kernel.
template <typename T>
T parameter_value(const KernelArgValue& value) {
  if constexpr (std::is_pointer_v<T>) {
    return static_cast<T>(value.pointer);
  } else if constexpr (std::is_floating_point_v<T>) {
    return value.real;
  } else {
    return static_cast<T>(value.integer);  // int, or an enum such as tml_activation
  }
}

template <typename T>
constexpr char parameter_type() {
  if constexpr (std::is_pointer_v<T>) return 'p';
  else if constexpr (std::is_floating_point_v<T>) return 'f';
  else return 'i';
}

// HostCall<f>::call(args) calls the kernel f with args[0], args[1], ... as its
// parameters' types; HostCall<f>::types spells those types ("pipfp").
template <auto Function>
struct HostCall;

template <typename... Parameters, void (*Function)(Parameters...)>
struct HostCall<Function> {
  static void call(const KernelArgValue* args) { call_with(args, std::index_sequence_for<Parameters...>{}); }
  static constexpr char types[] = {parameter_type<Parameters>()..., '\0'};

 private:
  template <size_t... Index>
  static void call_with(const KernelArgValue* args, std::index_sequence<Index...>) {
    Function(parameter_value<Parameters>(args[Index])...);
  }
};

// The name, the host call and the parameter types of one kernel function.
#define TML_KERNEL(function) #function, HostCall<function>::call, HostCall<function>::types

using enum KernelArg;
constexpr DType kF32 = DType::kFloat32, kS8 = DType::kInt8, kS16 = DType::kInt16;
constexpr std::nullopt_t kNoWeights = std::nullopt;

// Argument lists shared by a family of kernels.
const std::vector<KernelArg> kFullyConnectedS8 = {kInput, kCount, kWeights, kBias, kOutputCount,
                                                  kRequant, kQ8Params, kOutput};
const std::vector<KernelArg> kFullyConnectedF32 = {kInput, kCount, kWeights, kBias, kOutputCount,
                                                   kClampLow, kClampHigh, kOutput};
const std::vector<KernelArg> kConvS8 = {kInput, kShape, kWeights, kBias, kRequant, kQ8Params, kOutput};
const std::vector<KernelArg> kConvCodebookS8 = {kInput, kShape, kWeights, kCodebook, kBias,
                                                kRequant, kQ8Params, kOutput};
const std::vector<KernelArg> kConvSparseS8 = {kInput, kShape, kWeights, kSparseValues, kBias,
                                              kRequant, kQ8Params, kOutput};
const std::vector<KernelArg> kConvS16 = {kInput, kShape, kWeights, kBias, kRequant, kQ16Params, kOutput};
const std::vector<KernelArg> kConvF32 = {kInput, kShape, kWeights, kBias, kClampLow, kClampHigh, kOutput};
const std::vector<KernelArg> kConvW8 = {kInput, kShape, kWeights, kWeightScales, kBias,
                                        kClampLow, kClampHigh, kOutput};
const std::vector<KernelArg> kPool = {kInput, kShape, kOutput};

constexpr const char* kQuantizeH = "tml_quantize.h";
constexpr const char* kQuantizeC = "tml_quantize.c";
constexpr const char* kFullyConnectedH = "tml_fully_connected.h";
constexpr const char* kFullyConnectedC = "tml_fully_connected.c";
constexpr const char* kConvH = "tml_conv.h";
constexpr const char* kConvC = "tml_conv.c";
constexpr const char* kPoolH = "tml_pool.h";
constexpr const char* kPoolC = "tml_pool.c";
constexpr const char* kActivationH = "tml_activation.h";

std::vector<KernelEntry> make_kernel_table() {
  using Op = OpKind;
  return {
      // Quantize and dequantize.
      {Op::kQuantize, kF32, kNoWeights, kS8, kPortable, TML_KERNEL(tml_quantize_s8),
       {kInput, kCount, kOutputInverseScale, kOutputZeroPoint, kOutput}, kQuantizeH, kQuantizeC},
      {Op::kQuantize, kF32, kNoWeights, kS16, kPortable, TML_KERNEL(tml_quantize_s16),
       {kInput, kCount, kOutputInverseScale, kOutput}, kQuantizeH, kQuantizeC},
      {Op::kDequantize, kS8, kNoWeights, kF32, kPortable, TML_KERNEL(tml_dequantize_s8),
       {kInput, kCount, kInputScale, kInputZeroPoint, kOutput}, kQuantizeH, kQuantizeC},
      {Op::kDequantize, kS16, kNoWeights, kF32, kPortable, TML_KERNEL(tml_dequantize_s16),
       {kInput, kCount, kInputScale, kOutput}, kQuantizeH, kQuantizeC},

      // Fully connected, by activation and weight dtype.
      {Op::kFullyConnected, kS8, kS8, kS8, kArmDsp, TML_KERNEL(tml_fully_connected_s8_dsp), kFullyConnectedS8,
       "tml_fully_connected_dsp.h", "tml_fully_connected_dsp.c"},
      {Op::kFullyConnected, kS8, kS8, kS8, kAvrMul, TML_KERNEL(tml_fully_connected_s8_avr), kFullyConnectedS8,
       "tml_fully_connected_avr.h", "tml_fully_connected_avr.c"},
      {Op::kFullyConnected, kS8, kS8, kS8, kPortable, TML_KERNEL(tml_fully_connected_s8), kFullyConnectedS8,
       kFullyConnectedH, kFullyConnectedC},
      {Op::kFullyConnected, kS8, DType::kInt4, kS8, kPortable, TML_KERNEL(tml_fully_connected_s4),
       kFullyConnectedS8, kFullyConnectedH, kFullyConnectedC},
      {Op::kFullyConnected, kS8, DType::kIndex4, kS8, kPortable, TML_KERNEL(tml_fully_connected_codebook_s8),
       {kInput, kCount, kWeights, kCodebook, kBias, kOutputCount, kRequant, kQ8Params, kOutput}, kFullyConnectedH,
       kFullyConnectedC},
      {Op::kFullyConnected, kS8, DType::kSparse8, kS8, kPortable, TML_KERNEL(tml_fully_connected_sparse_s8),
       {kInput, kCount, kWeights, kSparseValues, kBias, kOutputCount, kRequant, kQ8Params, kOutput},
       kFullyConnectedH, kFullyConnectedC},
      {Op::kFullyConnected, kS16, kS8, kS16, kPortable, TML_KERNEL(tml_fully_connected_s16),
       {kInput, kCount, kWeights, kBias, kOutputCount, kRequant, kQ16Params, kOutput}, kFullyConnectedH,
       kFullyConnectedC},
      {Op::kFullyConnected, kF32, kF32, kF32, kPortable, TML_KERNEL(tml_fully_connected_f32), kFullyConnectedF32,
       kFullyConnectedH, kFullyConnectedC},
      {Op::kFullyConnected, kF32, DType::kFloat16, kF32, kPortable, TML_KERNEL(tml_fully_connected_f16w),
       kFullyConnectedF32, kFullyConnectedH, kFullyConnectedC},
      {Op::kFullyConnected, kF32, kS8, kF32, kPortable, TML_KERNEL(tml_fully_connected_w8),
       {kInput, kCount, kWeights, kWeightScales, kBias, kOutputCount, kClampLow, kClampHigh, kOutput},
       kFullyConnectedH, kFullyConnectedC},

      // Convolutions (sparse8 weights: Conv2D only).
      {Op::kConv2D, kS8, kS8, kS8, kArmDsp, TML_KERNEL(tml_conv2d_s8_dsp), kConvS8, "tml_conv_dsp.h",
       "tml_conv_dsp.c"},
      {Op::kConv2D, kS8, kS8, kS8, kPortable, TML_KERNEL(tml_conv2d_s8), kConvS8, kConvH, kConvC},
      {Op::kConv2D, kS8, DType::kInt4, kS8, kPortable, TML_KERNEL(tml_conv2d_s4), kConvS8, kConvH, kConvC},
      {Op::kConv2D, kS8, DType::kIndex4, kS8, kPortable, TML_KERNEL(tml_conv2d_codebook_s8), kConvCodebookS8, kConvH,
       kConvC},
      {Op::kConv2D, kS8, DType::kSparse8, kS8, kPortable, TML_KERNEL(tml_conv2d_sparse_s8), kConvSparseS8, kConvH,
       kConvC},
      {Op::kConv2D, kS16, kS8, kS16, kPortable, TML_KERNEL(tml_conv2d_s16), kConvS16, kConvH, kConvC},
      {Op::kConv2D, kF32, kF32, kF32, kPortable, TML_KERNEL(tml_conv2d_f32), kConvF32, kConvH, kConvC},
      {Op::kConv2D, kF32, DType::kFloat16, kF32, kPortable, TML_KERNEL(tml_conv2d_f16w), kConvF32, kConvH, kConvC},
      {Op::kConv2D, kF32, kS8, kF32, kPortable, TML_KERNEL(tml_conv2d_w8), kConvW8, kConvH, kConvC},
      {Op::kDepthwiseConv2D, kS8, kS8, kS8, kArmDsp, TML_KERNEL(tml_depthwise_conv2d_s8_dsp), kConvS8,
       "tml_conv_dsp.h", "tml_conv_dsp.c"},
      {Op::kDepthwiseConv2D, kS8, kS8, kS8, kPortable, TML_KERNEL(tml_depthwise_conv2d_s8), kConvS8, kConvH, kConvC},
      {Op::kDepthwiseConv2D, kS8, DType::kInt4, kS8, kPortable, TML_KERNEL(tml_depthwise_conv2d_s4), kConvS8, kConvH,
       kConvC},
      {Op::kDepthwiseConv2D, kS8, DType::kIndex4, kS8, kPortable, TML_KERNEL(tml_depthwise_conv2d_codebook_s8),
       kConvCodebookS8, kConvH, kConvC},
      {Op::kDepthwiseConv2D, kS16, kS8, kS16, kPortable, TML_KERNEL(tml_depthwise_conv2d_s16), kConvS16, kConvH,
       kConvC},
      {Op::kDepthwiseConv2D, kF32, kF32, kF32, kPortable, TML_KERNEL(tml_depthwise_conv2d_f32), kConvF32, kConvH,
       kConvC},
      {Op::kDepthwiseConv2D, kF32, DType::kFloat16, kF32, kPortable, TML_KERNEL(tml_depthwise_conv2d_f16w), kConvF32,
       kConvH, kConvC},
      {Op::kDepthwiseConv2D, kF32, kS8, kF32, kPortable, TML_KERNEL(tml_depthwise_conv2d_w8), kConvW8, kConvH, kConvC},

      // Pooling.
      {Op::kMaxPool, kS8, kNoWeights, kS8, kArmDsp, TML_KERNEL(tml_max_pool_s8_dsp), kPool, "tml_pool_dsp.h",
       "tml_pool_dsp.c"},
      {Op::kMaxPool, kS8, kNoWeights, kS8, kPortable, TML_KERNEL(tml_max_pool_s8), kPool, kPoolH, kPoolC},
      {Op::kMaxPool, kS16, kNoWeights, kS16, kPortable, TML_KERNEL(tml_max_pool_s16), kPool, kPoolH, kPoolC},
      {Op::kMaxPool, kF32, kNoWeights, kF32, kPortable, TML_KERNEL(tml_max_pool_f32), kPool, kPoolH, kPoolC},
      {Op::kAvgPool, kS8, kNoWeights, kS8, kPortable, TML_KERNEL(tml_avg_pool_s8), kPool, kPoolH, kPoolC},
      {Op::kAvgPool, kS16, kNoWeights, kS16, kPortable, TML_KERNEL(tml_avg_pool_s16), kPool, kPoolH, kPoolC},
      {Op::kAvgPool, kF32, kNoWeights, kF32, kPortable, TML_KERNEL(tml_avg_pool_f32), kPool, kPoolH, kPoolC},

      // Element-wise functions.
      {Op::kActivation, kF32, kNoWeights, kF32, kPortable, TML_KERNEL(tml_activation_f32),
       {kInput, kCount, kActivation, kAlpha, kOutput}, kActivationH, "tml_activation_f32.c"},
      {Op::kSoftmax, kF32, kNoWeights, kF32, kPortable, TML_KERNEL(tml_softmax_f32), {kInput, kCount, kOutput},
       kActivationH, "tml_activation_f32.c"},
      {Op::kLookup, kS8, kNoWeights, kS8, kPortable, TML_KERNEL(tml_lookup_s8), {kInput, kCount, kTable, kOutput},
       kActivationH, "tml_activation.c"},
      {Op::kLookup, kS16, kNoWeights, kS16, kPortable, TML_KERNEL(tml_lookup_s16), {kInput, kCount, kTable, kOutput},
       kActivationH, "tml_activation.c"},
  };
}

#undef TML_KERNEL

char kind_type(KernelArg arg) {
  switch (arg) {
    case kCount:
    case kOutputCount:
    case kOutputZeroPoint:
    case kInputZeroPoint:
    case kActivation: return 'i';
    case kClampLow:
    case kClampHigh:
    case kOutputInverseScale:
    case kInputScale:
    case kAlpha: return 'f';
    default: return 'p';
  }
}

std::string describe(OpKind op, DType input, std::optional<DType> weights, DType output) {
  std::string text = std::string(op_kind_name(op)) + " with " + dtype_name(input) + " input";
  if (weights) text += ", " + std::string(dtype_name(*weights)) + " weights";
  return text + " and " + dtype_name(output) + " output";
}

}  // namespace

const char* kernel_arg_name(KernelArg arg) {
  switch (arg) {
    case kInput: return "input";
    case kOutput: return "output";
    case kCount: return "count";
    case kOutputCount: return "output_count";
    case kShape: return "shape";
    case kWeights: return "weights";
    case kSparseValues: return "sparse_values";
    case kWeightScales: return "weight_scales";
    case kCodebook: return "codebook";
    case kBias: return "bias";
    case kRequant: return "requant";
    case kQ8Params: return "q8_params";
    case kQ16Params: return "q16_params";
    case kClampLow: return "clamp_low";
    case kClampHigh: return "clamp_high";
    case kOutputInverseScale: return "output_inverse_scale";
    case kOutputZeroPoint: return "output_zero_point";
    case kInputScale: return "input_scale";
    case kInputZeroPoint: return "input_zero_point";
    case kActivation: return "activation";
    case kAlpha: return "alpha";
    case kTable: return "table";
  }
  return "?";
}

std::string kernel_features_name(uint32_t features) {
  if (features == kPortable) return "reference";
  std::string name;
  for (const auto& [bit, bit_name] : {std::pair{kArmDsp, "arm-dsp"}, std::pair{kAvrMul, "avr-mul"}}) {
    if (!(features & bit)) continue;
    if (!name.empty()) name += "+";
    name += bit_name;
  }
  return name;
}

const std::vector<KernelEntry>& kernel_table() {
  static const std::vector<KernelEntry> table = make_kernel_table();
  return table;
}

const KernelEntry* find_kernel(OpKind op, DType input, std::optional<DType> weights, DType output,
                               uint32_t features) {
  for (const KernelEntry& entry : kernel_table()) {
    if (entry.op == op && entry.input == input && entry.weights == weights && entry.output == output &&
        (entry.features & ~features) == 0) {
      return &entry;
    }
  }
  return nullptr;
}

const KernelEntry& select_kernel(const DeployModel& model, const DeployOp& op, uint32_t features) {
  const DType input = model.tensors[static_cast<size_t>(op.inputs[0])].dtype;
  const DType output = model.tensors[static_cast<size_t>(op.output)].dtype;
  std::optional<DType> weights;
  if (op_has_weights(op.kind)) weights = model.tensors[static_cast<size_t>(op.inputs[1])].dtype;
  const KernelEntry* entry = find_kernel(op.kind, input, weights, output, features);
  if (entry == nullptr) {
    throw Error(ErrorKind::kInvalid, "kernels", "no kernel for " + describe(op.kind, input, weights, output));
  }
  return *entry;
}

void check_kernel_table() {
  const std::vector<KernelEntry>& table = kernel_table();
  for (size_t e = 0; e < table.size(); ++e) {
    const KernelEntry& entry = table[e];
    std::string kinds;
    for (KernelArg arg : entry.args) kinds += kind_type(arg);
    if (kinds != entry.parameter_types || entry.args.size() > kMaxKernelArgs) {
      throw Error(ErrorKind::kInvalid, entry.function,
                  "arguments of types '" + kinds + "' for parameters of types '" + entry.parameter_types + "'");
    }
    const KernelEntry* reference = nullptr;
    for (size_t other = 0; other < table.size(); ++other) {
      const KernelEntry& twin = table[other];
      if (other == e || twin.op != entry.op || twin.input != entry.input || twin.weights != entry.weights ||
          twin.output != entry.output) {
        continue;
      }
      if (twin.features == entry.features) {
        throw Error(ErrorKind::kInvalid, entry.function,
                    std::string("matches the same ops as ") + twin.function + ": " +
                        describe(entry.op, entry.input, entry.weights, entry.output));
      }
      if (twin.features == kPortable) reference = &twin;
      const bool twin_is_more_specific = (twin.features & entry.features) == entry.features;
      if (twin_is_more_specific && other > e) {
        throw Error(ErrorKind::kInvalid, twin.function, std::string("comes after the more general ") + entry.function);
      }
    }
    if (entry.features != kPortable && (reference == nullptr || reference->args != entry.args)) {
      throw Error(ErrorKind::kInvalid, entry.function,
                  "an optimized kernel needs a reference kernel (features none) taking the same arguments");
    }
  }
}

}  // namespace tinymlops

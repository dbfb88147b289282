// Which kernel runs an op: the one table the reference engine, the C emitter
// and the packager all read (docs/architecture.md, "Kernels").
//
// An entry says: for this op kind, with these dtypes of activation input,
// weights and output, on a target with these features, call this kernels/
// function with these arguments, defined in this source file. The engine calls
// the function (`host`) with the values of the arguments; the emitter writes the
// same call as C text and copies the entry's files into the generated code. So a
// new kernel whose arguments are all of the kinds below is one entry in
// src/runtime/kernel_table.cc, and it runs the same way on the host and on a
// device by construction.
//
// Example: the int8 fully-connected op is
//   {OpKind::kFullyConnected, kS8, kS8, kS8, kPortable, TML_KERNEL(tml_fully_connected_s8),
//    {kInput, kCount, kWeights, kBias, kOutputCount, kRequant, kQ8Params, kOutput},
//    "tml_fully_connected.h", "tml_fully_connected.c"}
// (TML_KERNEL gives the name, the host call and the parameter types)
// and generated code calls
//   tml_fully_connected_s8(<input>, 64, m_t1, m_t2, 10, m_op1_requant, &m_op1_q8, <output>);
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tinymlops/runtime/deploy_model.h"

namespace tinymlops {

// What a kernel argument is, in terms of the op and its tensors. Each kind has
// one C type per kernel family, given by the kernel's prototype in kernels/.
enum class KernelArg {
  kInput,               // pointer: the activation input (the op's inputs[0])
  kOutput,              // pointer: the output activation
  kCount,               // int: number of input values
  kOutputCount,         // int: number of output values
  kShape,               // pointer: the tml_conv_shape (convolutions) or tml_pool_shape (pooling)
  kWeights,             // pointer: the weights' bytes (inputs[1]); for sparse8 the bitmap
  kSparseValues,        // pointer: the nonzero int8 values of sparse8 weights, after the bitmap
  kWeightScales,        // pointer: the float per-channel scales of weight-only int8 weights
  kCodebook,            // pointer: the int8 codebook of index4 weights (inputs[3])
  kBias,                // pointer: the bias (inputs[2])
  kRequant,             // pointer: packed int32 requantization per output channel (op_requant_packed)
  kQ8Params,            // pointer: tml_q8_params (op_q8_params)
  kQ16Params,           // pointer: tml_q16_params (op_q16_params)
  kClampLow,            // float: the fused activation's lower bound (float_clamp)
  kClampHigh,           // float: its upper bound
  kOutputInverseScale,  // float: 1 / the output's scale (Quantize)
  kOutputZeroPoint,     // int: the output's zero point (Quantize to int8)
  kInputScale,          // float: the input's scale (Dequantize)
  kInputZeroPoint,      // int: the input's zero point (Dequantize from int8)
  kActivation,          // int: the tml_activation of op.activation
  kAlpha,               // float: op.alpha
  kTable,               // pointer: the lookup table (lookup_table or lookup_table_s16)
};
const char* kernel_arg_name(KernelArg arg);

// The value of one argument for a host call: a pointer (constants are passed
// as const data, though the member is not const), an int or a float, as the
// argument's kind says.
union KernelArgValue {
  void* pointer;
  int32_t integer;
  float real;
};

// Calls the kernel with `args`, one per entry of KernelEntry::args (at most
// kMaxKernelArgs).
inline constexpr size_t kMaxKernelArgs = 12;
using HostKernel = void (*)(const KernelArgValue* args);

// Target features a kernel needs, as bits. kPortable (no bits) is plain C99
// that runs everywhere: the reference kernels. An optimized kernel for a target
// has a bit, the reference kernel's parameters and results (its tests compare
// the two), and an entry before the reference one.
enum KernelFeatures : uint32_t {
  kPortable = 0,
  kArmDsp = 1u << 0,  // the Cortex-M DSP extension (ARMv7E-M: Cortex-M4, M7, M33): kernels/tml_arm_dsp.h
  kAvrMul = 1u << 1,  // an 8-bit AVR with the hardware multiplier (ATmega): kernels/tml_fully_connected_avr.h
};

// "reference" for kPortable, else the features' names joined by '+' ("arm-dsp", "avr-mul").
std::string kernel_features_name(uint32_t features);

struct KernelEntry {
  OpKind op;
  DType input;                   // the activation input's dtype
  std::optional<DType> weights;  // the weights' dtype; nullopt for ops without weights
  DType output;                  // the output's dtype
  uint32_t features;             // KernelFeatures the target must have
  const char* function;          // the C function in kernels/
  HostKernel host;               // calls `function` on the host
  // The C type of each of its parameters as 'p' (pointer), 'i' (integer or
  // enum) or 'f' (float), read off the prototype; check_kernel_table checks
  // `args` against it.
  const char* parameter_types;
  std::vector<KernelArg> args;   // its parameters, in order
  const char* header;            // the kernels/ header declaring it
  const char* source;            // the kernels/ source defining it
};

// Every kernel, most specific first.
const std::vector<KernelEntry>& kernel_table();

// The entry that runs an op of kind `op` with these dtypes on a target with
// `features`: the first whose op, dtypes and features match; nullptr when none
// does.
const KernelEntry* find_kernel(OpKind op, DType input, std::optional<DType> weights, DType output,
                               uint32_t features);

// The entry that runs `op` of `model` on a target with `features`: the first
// whose op, dtypes and features match. Throws Error(kInvalid) naming the op
// and dtypes when there is none.
const KernelEntry& select_kernel(const DeployModel& model, const DeployOp& op, uint32_t features = kPortable);

// Throws Error(kInvalid) naming the entry when an entry's argument kinds do not
// fit its function's parameter types (a pointer kind for an int parameter, a
// wrong count, more than kMaxKernelArgs), when two entries match the same op
// with the same features, when an optimized entry has no reference entry
// (kPortable) of the same op, dtypes and arguments, or comes after it.
void check_kernel_table();

}  // namespace tinymlops

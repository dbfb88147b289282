// The per-op part of a generated <name>.c file: the constant tensors, the
// parameters each op's kernel needs (computed here, at generation time), and
// one static function per op calling the kernel that
// tinymlops/runtime/kernel_table.h selects, with the arguments the reference
// engine passes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "tinymlops/codegen/memory_plan.h"
#include "tinymlops/runtime/deploy_model.h"
#include "tinymlops/runtime/kernel_table.h"

namespace tinymlops::codegen {

// Writes the op calls of one model; names every symbol `<name>_...` and calls
// the kernels select_kernel gives for a target with `kernel_features`.
// `model`, `plan` and `name` must remain live while this writer is in use.
// REQUIRES: `model` is valid, `plan` is plan_memory(model), `name` is a C
// identifier.
class OpCallWriter {
 public:
  OpCallWriter(const DeployModel& model, const MemoryPlan& plan, const std::string& name, uint32_t kernel_features)
      : model_(model), plan_(plan), name_(name), kernel_features_(kernel_features) {}

  // The constant tensors and per-op parameters, then one function per op,
  // `static void <name>_op<i>(void)`, which the caller calls in op order.
  // Throws Error(kInvalid) for a constant that is not finite or an op that no
  // kernel runs.
  std::string constants_and_ops() const;

  // "(float*)(m_arena.bytes + 64)": the arena address of activation tensor
  // `tensor` as a `type*` (`type` is C text, e.g. "const int8_t").
  std::string activation(int tensor, const char* type) const;

 private:
  // "m_t3": the array of constant tensor `tensor`.
  std::string symbol(int tensor) const;
  // "m_op3_requant": the parameter `what` of op `op`.
  std::string op_symbol(size_t op, const char* what) const;
  // The array of constant tensor `index` as stored (packed dtypes as bytes),
  // plus its per-channel scales when a kernel reads them.
  std::string constant(int index) const;
  // Whether a kernel reads tensor `index` as weights with their own scales
  // (weight-only int8 weights of a float op).
  bool has_weight_scales(int index) const;
  // The constants op i's kernel arguments need beyond the tensors (TFLM's
  // Prepare, done here at generation time): requantization, zero points and
  // clamps, shapes, lookup tables. Empty when there are none.
  std::string op_parameters(size_t i) const;
  // Argument `arg` of op i's kernel call, as C text (the values the reference
  // engine passes, engine.cc).
  std::string argument(KernelArg arg, size_t i) const;
  // The kernel call of op i: the function kernel_table.h selects, with its
  // arguments.
  std::string call(size_t i) const;
  // "static void m_op3(void) { <call> }" with a comment naming the op.
  std::string op_function(size_t i) const;

  const DeployModel& model_;
  const MemoryPlan& plan_;
  const std::string& name_;
  const uint32_t kernel_features_;
};

}  // namespace tinymlops::codegen

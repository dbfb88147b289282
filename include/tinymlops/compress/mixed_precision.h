// Mixed precision: per-layer bit widths chosen by measured sensitivity so the
// deployed model fits a byte budget with the least loss.
//
// Candidates are the weighted ops, each with the weight widths the kernels
// offer for it: fully-connected 8 or 4; convolutions 8 only, until int4
// convolution kernels exist (then only weight_widths() in mixed_precision.cc
// changes). Each op's sensitivity at a width is how much the mean squared
// difference between the deployed and the float model's outputs on `rows`
// grows when that op alone takes that width (a continuous measure: accuracy on
// training rows is often saturated). The search picks the widths whose summed
// sensitivities (negative ones counted as 0) are least among those whose
// constants fit `budget_bytes`; ties keep more bits. With at most 4096
// combinations it tries them all, otherwise it lowers ops greedily, least
// sensitivity per byte saved first. Sizes add up exactly per op; errors are
// only estimated to add up, so the chosen model's measured error can differ.
//
// 16 bits: with options.activation_bits = 16 the whole-model int16x8 variant
// (ptq.h: int16 activations, int8 weights, int64 biases) is a candidate too. It
// is chosen when its constants fit the budget and its measured output error is
// below the int8 mix's. There is no per-layer 16: the kernels take one
// activation type for the whole model (no int8 <-> int16 requantize op), and
// int16x8 doubles activation memory, which the budget (constants only) does
// not count.
//
//   std::vector<LayerPrecision> choices;
//   DeployModel small = mixed_precision(float_model, rows, 5000, {}, &choices);
#pragma once

#include <string>
#include <vector>

#include "tinymlops/compress/ptq.h"

namespace tinymlops {

struct LayerPrecision {
  std::string op;          // "ops[i] (kind)" of the float model
  std::vector<int> widths;  // weight widths offered, widest first ({8} for convolutions)
  double sensitivity;      // output error added with this op alone at its narrowest width (0: one width)
  int bits;                // chosen
};

// `rows` are labelled raw feature rows (calibration and sensitivity).
// options.weight_bits and op_weight_bits are ignored (the search sets them).
// Throws Error(kUsage) for a budget <= 0, Error(kInvalid) naming the smallest
// reachable size when even the narrowest widths do not fit the budget.
DeployModel mixed_precision(const DeployModel& model, const Dataset& rows, int64_t budget_bytes,
                            const PtqOptions& options, std::vector<LayerPrecision>* choices);

}  // namespace tinymlops

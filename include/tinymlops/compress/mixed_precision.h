// Mixed precision: per-layer weight bits chosen by measured sensitivity so the
// deployed model fits a byte budget with the least loss.
//
// Candidates are the fully-connected layers (int4 or int8 weights; convolutions
// stay int8). Each layer's sensitivity is how much the mean squared difference
// between the deployed and the float model's outputs on `rows` grows when that
// layer alone is int4 (a continuous measure: accuracy on training rows is often
// saturated). Layers go to int4 from the least sensitive (ties: earlier first)
// until the constants fit `budget_bytes`.
#pragma once

#include <string>
#include <vector>

#include "tinymlops/compress/ptq.h"

namespace tinymlops {

struct LayerPrecision {
  std::string op;       // "ops[i] (fully_connected)" of the float model
  double sensitivity;   // output error added with this layer alone at int4
  int bits;             // chosen
};

// `rows` are labelled raw feature rows (calibration and sensitivity). Throws
// Error(kInvalid) naming the smallest reachable size when even all-int4 does
// not fit the budget.
DeployModel mixed_precision(const DeployModel& model, const Dataset& rows, int64_t budget_bytes,
                            const PtqOptions& options, std::vector<LayerPrecision>* choices);

}  // namespace tinymlops

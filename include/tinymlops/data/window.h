// Sliding windows over a time series, as a transform from one Dataset to another.
//
// Input: rows in time order. Output: one row per window of `window` consecutive
// rows, starting every `stride` rows; its features are the window's rows
// concatenated oldest first (feature "x" at offset t becomes "x@t", t = 0 for the
// oldest), so a window is a (window x features) row-major block, ready for Conv1D
// with input shape window x features. Its target is the target of the window's
// last row. A tail shorter than `window` is dropped.
#pragma once

#include "tinymlops/data/dataset.h"

namespace tinymlops {

struct WindowOptions {
  int window = 0;  // rows per window, >= 1
  int stride = 1;  // rows between window starts, >= 1
};

// Throws Error(kUsage) if window or stride < 1, Error(kInvalid) naming the source
// if the series is shorter than one window.
Dataset make_windows(const Dataset& series, const WindowOptions& options);

}  // namespace tinymlops

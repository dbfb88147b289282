// What the nn jobs share (internal to src/nn): the train job reads a CSV file
// on its own, the other jobs through load_for_model (evaluate_job.h); both
// refuse the same combination of options.
#pragma once

#include "tinymlops/core/error.h"

namespace tinymlops {

// Dropping a row from a time series would put rows that were not consecutive
// into one window, so the two options exclude each other: throws Error(kUsage)
// at "--drop-bad-rows" when both are set.
inline void check_window_without_dropping(bool windowed, bool drop_bad_rows) {
  if (windowed && drop_bad_rows) {
    throw Error(ErrorKind::kUsage, "--drop-bad-rows",
                "cannot drop rows of a windowed time series (a window would join rows that are "
                "not consecutive); clean the series first");
  }
}

}  // namespace tinymlops

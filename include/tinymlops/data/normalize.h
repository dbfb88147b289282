// Feature normalization, fitted on training data and stored inside the model so
// the device is fed raw sensor values.
//
// Every kind is the affine map x' = (x - offset) * scale, per feature:
//   standard: offset = mean, scale = 1 / population standard deviation
//   min-max:  offset = min,  scale = 1 / (max - min)           (maps to [0, 1])
//   none:     offset = 0,    scale = 1
// A constant feature (zero spread) gets scale 1, so it maps to 0 and never
// produces Inf/NaN.
#pragma once

#include <Eigen/Core>
#include <string>

#include "tinymlops/data/dataset.h"

namespace tinymlops {

enum class NormalizationKind { kNone, kStandard, kMinMax };
const char* normalization_name(NormalizationKind kind);           // "none", "standard", "minmax"
NormalizationKind parse_normalization(const std::string& name);  // throws Error(kUsage)

struct Normalization {
  NormalizationKind kind = NormalizationKind::kNone;
  Eigen::VectorXf offset;  // one per feature; empty for kNone
  Eigen::VectorXf scale;   // one per feature; empty for kNone

  // Applies the map in place. REQUIRES: features.cols() == offset.size() unless kNone.
  void apply(Matrix& features) const;
};

// Fits `kind` on the rows of `features` (the training split only).
// REQUIRES: features.rows() > 0.
Normalization fit_normalization(NormalizationKind kind, const Matrix& features);

}  // namespace tinymlops

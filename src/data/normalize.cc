#include "tinymlops/data/normalize.h"

#include "tinymlops/core/error.h"

namespace tinymlops {

const char* normalization_name(NormalizationKind kind) {
  switch (kind) {
    case NormalizationKind::kNone: return "none";
    case NormalizationKind::kStandard: return "standard";
    case NormalizationKind::kMinMax: return "minmax";
  }
  return "?";
}

NormalizationKind parse_normalization(const std::string& name) {
  for (NormalizationKind kind :
       {NormalizationKind::kNone, NormalizationKind::kStandard, NormalizationKind::kMinMax}) {
    if (name == normalization_name(kind)) return kind;
  }
  throw Error(ErrorKind::kUsage, "",
              "unknown normalization '" + name + "' (expected none, standard or minmax)");
}

void Normalization::apply(Matrix& features) const {
  if (kind == NormalizationKind::kNone) return;
  features.rowwise() -= offset.transpose();
  features.array().rowwise() *= scale.transpose().array();
}

Normalization fit_normalization(NormalizationKind kind, const Matrix& features) {
  Normalization normalization;
  normalization.kind = kind;
  if (kind == NormalizationKind::kNone) return normalization;
  // Statistics in double so large raw values (e.g. 1e5 sensor counts) keep precision.
  Eigen::MatrixXd data = features.cast<double>();
  Eigen::VectorXd offset(data.cols());
  Eigen::VectorXd spread(data.cols());
  for (Eigen::Index j = 0; j < data.cols(); ++j) {
    auto column = data.col(j);
    if (kind == NormalizationKind::kStandard) {
      offset(j) = column.mean();
      spread(j) = std::sqrt((column.array() - offset(j)).square().mean());
    } else {
      offset(j) = column.minCoeff();
      spread(j) = column.maxCoeff() - offset(j);
    }
  }
  normalization.offset = offset.cast<float>();
  normalization.scale.resize(data.cols());
  for (Eigen::Index j = 0; j < data.cols(); ++j) {
    normalization.scale(j) = spread(j) > 0 ? static_cast<float>(1.0 / spread(j)) : 1.0f;
  }
  return normalization;
}

}  // namespace tinymlops

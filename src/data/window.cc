#include "tinymlops/data/window.h"

#include "tinymlops/core/error.h"

namespace tinymlops {

Dataset make_windows(const Dataset& series, const WindowOptions& options) {
  if (options.window < 1 || options.stride < 1) {
    throw Error(ErrorKind::kUsage, "", "window and stride must be at least 1 (window " +
                                           std::to_string(options.window) + ", stride " +
                                           std::to_string(options.stride) + ")");
  }
  const auto window = static_cast<size_t>(options.window);
  const auto stride = static_cast<size_t>(options.stride);
  if (series.size() < window) {
    throw Error(ErrorKind::kInvalid, series.source,
                std::to_string(series.size()) + " rows is shorter than one window of " +
                    std::to_string(window));
  }
  const size_t count = (series.size() - window) / stride + 1;
  const Eigen::Index features = series.features.cols();

  Dataset out;
  out.source = series.source;
  out.task = series.task;
  out.label_name = series.label_name;
  out.class_names = series.class_names;
  out.dropped_rows = series.dropped_rows;
  out.warnings = series.warnings;
  for (size_t t = 0; t < window; ++t) {
    for (const std::string& name : series.feature_names) {
      out.feature_names.push_back(name + "@" + std::to_string(t));
    }
  }
  out.features.resize(static_cast<Eigen::Index>(count), static_cast<Eigen::Index>(window) * features);
  if (series.values.size() > 0) out.values.resize(static_cast<Eigen::Index>(count));
  for (size_t w = 0; w < count; ++w) {
    const size_t first = w * stride;
    const size_t last = first + window - 1;
    const auto row = static_cast<Eigen::Index>(w);
    for (size_t t = 0; t < window; ++t) {
      out.features.block(row, static_cast<Eigen::Index>(t) * features, 1, features) =
          series.features.row(static_cast<Eigen::Index>(first + t));
    }
    if (!series.classes.empty()) out.classes.push_back(series.classes[last]);
    if (series.values.size() > 0) out.values(row) = series.values(static_cast<Eigen::Index>(last));
    out.line_numbers.push_back(series.line_numbers[last]);
  }
  return out;
}

}  // namespace tinymlops

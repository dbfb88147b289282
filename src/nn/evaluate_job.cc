#include "tinymlops/nn/evaluate_job.h"

#include "job_support.h"
#include "tinymlops/core/error.h"
#include "tinymlops/data/window.h"
#include "tinymlops/nn/metrics.h"

namespace tinymlops {

Dataset load_for_model(const ModelMetadata& meta, const std::filesystem::path& data, bool drop_bad_rows,
                       bool require_label) {
  check_window_without_dropping(meta.window.window > 0, drop_bad_rows);
  DatasetOptions options;
  options.label = meta.label_name;
  options.task = meta.task;
  options.bad_values = drop_bad_rows ? BadValuePolicy::kDropRow : BadValuePolicy::kError;
  options.class_names = meta.class_names;
  options.feature_names = meta.feature_names;
  options.require_label = require_label;
  Dataset dataset = load_dataset(data, options);
  return meta.window.window > 0 ? make_windows(dataset, meta.window) : dataset;
}

nlohmann::ordered_json evaluate_model(Model& model, const std::filesystem::path& data, bool drop_bad_rows) {
  return evaluate_predictor(model.metadata, [&](const Matrix& x) { return model.predict(x); }, data, drop_bad_rows);
}

nlohmann::ordered_json evaluate_predictor(const ModelMetadata& meta, const Predictor& predict,
                                          const std::filesystem::path& data, bool drop_bad_rows) {
  Dataset dataset = load_for_model(meta, data, drop_bad_rows, true);
  if (dataset.size() == 0) throw Error(ErrorKind::kInvalid, data.string(), "no rows to evaluate");
  Matrix outputs = predict(dataset.features);
  nlohmann::ordered_json report = {{"rows", dataset.size()}};
  if (meta.task == Task::kClassification) {
    report.update(to_json(classification_metrics(dataset.classes, outputs)));
    report["classes"] = meta.class_names;
  } else {
    report.update(to_json(regression_metrics(dataset.values, outputs.col(0))));
  }
  if (drop_bad_rows) report["dropped_rows"] = dataset.dropped_rows;
  return report;
}

}  // namespace tinymlops

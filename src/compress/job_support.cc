#include "job_support.h"

#include <algorithm>

#include "tinymlops/core/file_io.h"
#include "tinymlops/core/hash.h"
#include "tinymlops/core/rng.h"
#include "tinymlops/data/split.h"
#include "tinymlops/nn/metrics.h"
#include "tinymlops/nn/evaluate_job.h"
#include "tinymlops/nn/model_file.h"

namespace tinymlops {

HeldOutRows held_out_rows(const Model& model, const std::string& data_path, bool drop_bad_rows, int sample_limit) {
  Dataset data = load_for_model(model.metadata, data_path, drop_bad_rows, true);
  const nlohmann::json& provenance = model.metadata.provenance;
  const nlohmann::json params = provenance.value("params", nlohmann::json::object());
  const bool windowed = model.metadata.window.window > 0;
  const bool same_data = provenance.value("data_sha256", "") == sha256_file_hex(data_path) &&
                         params.contains("seed") && params.contains("test_split") &&
                         params.contains("validation_split") &&
                         params.value("drop_bad_rows", false) == drop_bad_rows;
  HeldOutRows rows;
  SplitIndices split;
  if (same_data) {
    const double validation = params.at("validation_split").get<double>();
    const double test = params.at("test_split").get<double>();
    split = windowed ? split_in_order(data.size(), validation, test)
                     : split_dataset(data, validation, test, params.at("seed").get<uint64_t>());
    rows.split = "the model's training split";
  }
  if (!same_data || split.test.empty()) {
    split = windowed ? split_in_order(data.size(), 0.0, 0.2) : split_dataset(data, 0.0, 0.2, 0);
    rows.split = "a new split of " + data_path + " (20% test, seed 0)";
  }
  std::vector<size_t> sample = split.train;
  if (sample.size() > static_cast<size_t>(std::max(sample_limit, 0))) {
    Rng rng(0);
    rng.shuffle(sample);
    sample.resize(static_cast<size_t>(sample_limit));
    std::sort(sample.begin(), sample.end());
  }
  rows.train = data.subset(split.train);
  rows.sample = data.subset(sample);
  rows.evaluation = data.subset(split.test);
  return rows;
}

nlohmann::ordered_json task_metrics(const ModelMetadata& meta, const Dataset& rows, const Matrix& outputs) {
  if (meta.task == Task::kClassification) return to_json(classification_metrics(rows.classes, outputs));
  return to_json(regression_metrics(rows.values, outputs.col(0)));
}

TrainOptions fine_tune_options(const Model& model, int epochs, float learning_rate) {
  TrainOptions options;
  options.epochs = epochs;
  options.learning_rate = learning_rate;
  const nlohmann::json params = model.metadata.provenance.value("params", nlohmann::json::object());
  options.loss = params.contains("loss") ? parse_loss(params.at("loss").get<std::string>())
                 : model.metadata.task == Task::kClassification ? LossKind::kCrossEntropy
                                                                : LossKind::kMse;
  options.seed = params.value("seed", uint64_t{0});
  return options;
}

double metric_drop(const ModelMetadata& meta, const nlohmann::ordered_json& before,
                   const nlohmann::ordered_json& after) {
  if (meta.task == Task::kClassification) {
    return 100 * (before["accuracy"].get<double>() - after["accuracy"].get<double>());
  }
  return after["rmse"].get<double>() - before["rmse"].get<double>();
}

FineTuneReport start_fine_tune_report(Model& model, const HeldOutRows& rows) {
  FineTuneReport report;
  report.split = rows.split;
  report.train_rows = rows.train.size();
  report.eval_rows = rows.evaluation.size();
  if (report.eval_rows > 0) {
    report.before = task_metrics(model.metadata, rows.evaluation, model.predict(rows.evaluation.features));
  }
  return report;
}

void finish_fine_tune_report(Model& tuned, const HeldOutRows& rows, FineTuneReport& report) {
  if (report.eval_rows == 0) return;
  report.after = task_metrics(tuned.metadata, rows.evaluation, tuned.predict(rows.evaluation.features));
  report.drop = metric_drop(tuned.metadata, report.before, report.after);
}

void write_float_model(Model& model, const std::string& out, FineTuneReport& report) {
  if (out.empty()) return;
  const std::string bytes = serialize_model(model);
  write_file_atomic(out, bytes);
  report.model = out;
  report.file_bytes = bytes.size();
}

void append_rows_json(const FineTuneReport& report, nlohmann::ordered_json& j) {
  j["split"] = report.split;
  j["train_rows"] = report.train_rows;
  j["eval_rows"] = report.eval_rows;
}

void append_metrics_json(const FineTuneReport& report, nlohmann::ordered_json& j) {
  if (report.eval_rows == 0) return;
  j["before"] = report.before;
  j["after"] = report.after;
  j["drop"] = report.drop;
}

void append_file_json(const FineTuneReport& report, nlohmann::ordered_json& j) {
  if (report.model.empty()) return;
  j["model"] = report.model;
  j["file_bytes"] = report.file_bytes;
}

}  // namespace tinymlops

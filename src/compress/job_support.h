// What the compression jobs (quantize, prune, cluster) share: which rows they learn from
// and measure on, how they fine-tune, how they compare, how prune and cluster
// report it (internal to src/compress).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "tinymlops/compress/fine_tune_report.h"
#include "tinymlops/nn/model.h"
#include "tinymlops/nn/trainer.h"

namespace tinymlops {

struct HeldOutRows {
  Dataset train;       // rows to fine-tune on
  Dataset sample;      // at most `sample_limit` of the training rows (seeded), for calibration
  Dataset evaluation;  // held-out rows for before/after metrics
  std::string split;   // how the rows were chosen, for reports
};

// When `data` is the file `model` was trained on (same SHA-256 and bad-row
// policy), the model's training split is rebuilt from its recorded seed and
// fractions; otherwise `data` is split anew (20% test, seed 0; time order for
// windowed models).
HeldOutRows held_out_rows(const Model& model, const std::string& data, bool drop_bad_rows, int sample_limit);

// The task's metrics (metrics.h to_json) of `outputs` against `rows`.
nlohmann::ordered_json task_metrics(const ModelMetadata& meta, const Dataset& rows, const Matrix& outputs);

// Fine-tuning as the model was trained: its recorded loss (or the task's
// default) and seed, Adam at `learning_rate`, no early stopping.
TrainOptions fine_tune_options(const Model& model, int epochs, float learning_rate);

// Accuracy points lost (classification) or RMSE gained (regression).
double metric_drop(const ModelMetadata& meta, const nlohmann::ordered_json& before, const nlohmann::ordered_json& after);

// A FineTuneReport (fine_tune_report.h) with the rows filled in, and `before`
// holding the metrics of `model` when there are held-out rows.
FineTuneReport start_fine_tune_report(Model& model, const HeldOutRows& rows);
// Sets report.after and report.drop from `tuned` when there are held-out rows.
void finish_fine_tune_report(Model& tuned, const HeldOutRows& rows, FineTuneReport& report);
// Writes `model` atomically to `out` and records the file in `report`; nothing
// when `out` is empty.
void write_float_model(Model& model, const std::string& out, FineTuneReport& report);

// FineTuneReport's keys, appended to `j` group by group where the prune and
// cluster reports put them: "split","train_rows","eval_rows"; "before","after",
// "drop" (eval_rows > 0); "model","file_bytes" (a file was written).
void append_rows_json(const FineTuneReport& report, nlohmann::ordered_json& j);
void append_metrics_json(const FineTuneReport& report, nlohmann::ordered_json& j);
void append_file_json(const FineTuneReport& report, nlohmann::ordered_json& j);

}  // namespace tinymlops

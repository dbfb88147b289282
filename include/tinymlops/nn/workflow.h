// The user-level jobs behind `tinymlops train | evaluate | predict | inspect`:
// each reads files, runs the library and returns plain results for the CLI (or
// any other caller) to print.
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tinymlops/core/progress.h"
#include "tinymlops/nn/model.h"
#include "tinymlops/nn/train_config.h"

namespace tinymlops {

struct TrainResult {
  Model model;
  TrainHistory history;
  size_t train_rows = 0, validation_rows = 0, test_rows = 0;
  int64_t dropped_rows = 0;  // rows skipped by drop_bad_rows
  // Metrics on the held-out test rows (see evaluate_model's keys); empty when
  // test_split is 0.
  nlohmann::ordered_json test_metrics;
  int64_t model_file_bytes = 0;  // size of the written file (0 if not written)
};

// Loads config.data, splits it (stratified, seeded), fits the normalization on
// the training rows, builds and trains the model, evaluates it on the test rows
// and, when config.out is set, writes the model file atomically. Data warnings
// (constant columns, dropped rows) go to `progress` as messages.
TrainResult run_training(const TrainConfig& config, Progress& progress);

// The per-epoch record as CSV, one row per epoch: epoch, learning_rate, train_loss,
// then validation_loss and validation_<metric name> when there was validation
// data. Numbers with 9 significant digits, so the text is deterministic.
std::string history_csv(const TrainHistory& history);

// Metrics of `model` on a labelled CSV whose label column is the model's. Keys:
// classification {"rows","accuracy","precision_macro","recall_macro","f1_macro",
// "log_loss","confusion","classes"}; regression {"rows","mse","rmse","mae","r2"};
// with drop_bad_rows also "dropped_rows".
nlohmann::ordered_json evaluate_model(Model& model, const std::filesystem::path& data, bool drop_bad_rows);

// Raw feature rows in, model outputs out (probabilities or values): Model::predict,
// or the reference engine of a deployed model.
using Predictor = std::function<Matrix(const Matrix& raw_features)>;

// evaluate_model for any predictor with the metadata of a model.
nlohmann::ordered_json evaluate_predictor(const ModelMetadata& meta, const Predictor& predict,
                                          const std::filesystem::path& data, bool drop_bad_rows);

// The rows of `data` as the model sees them: its feature columns by name, its
// class names, its window. require_label = false allows a missing label column.
Dataset load_for_model(const ModelMetadata& meta, const std::filesystem::path& data, bool drop_bad_rows,
                       bool require_label);

// Writes one CSV row per input row: "line" (input line number), then "class" and
// "confidence" (classification, plus "p_<class>" columns when `probabilities`)
// or "value" (regression). Feature columns are matched by name; the label
// column may be absent. The output is written atomically.
struct PredictSummary {
  size_t rows = 0;           // predictions written
  int64_t dropped_rows = 0;  // input rows skipped by drop_bad_rows
};
PredictSummary predict_to_csv(Model& model, const std::filesystem::path& data, const std::filesystem::path& out,
                            bool drop_bad_rows, bool probabilities);
PredictSummary predict_to_csv(const ModelMetadata& meta, const Predictor& predict, const std::filesystem::path& data,
                              const std::filesystem::path& out, bool drop_bad_rows, bool probabilities);

// What `inspect` shows: input/output shapes, per-layer kind, config, output
// shape, parameters and MACs, totals "params" (trainable), "parameters" (all),
// "weight_bytes" (float32 bytes of all tensors), "macs", task, classes,
// normalization and provenance.
nlohmann::ordered_json describe_model(Model& model);

}  // namespace tinymlops

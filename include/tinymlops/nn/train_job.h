// The job behind `tinymlops train`: read the data, build and train the model,
// measure it on held-out rows, write the model file; plain results for the CLI
// (or any other caller) to print.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

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

}  // namespace tinymlops

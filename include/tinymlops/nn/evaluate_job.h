// The job behind `tinymlops evaluate`: a model's metrics on a labelled CSV file,
// and the loading of a CSV file as a model sees it (shared by every job that
// runs a model on rows: predict, quantize, verify, serve, fl).
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>

#include "tinymlops/data/dataset.h"
#include "tinymlops/nn/model.h"

namespace tinymlops {

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
// Throws Error(kUsage) at "--drop-bad-rows" for a windowed model with
// drop_bad_rows (dropping a row would join rows that are not consecutive).
Dataset load_for_model(const ModelMetadata& meta, const std::filesystem::path& data, bool drop_bad_rows,
                       bool require_label);

}  // namespace tinymlops

// The job behind `tinymlops predict`: one CSV row of predictions per input row.
#pragma once

#include <cstdint>
#include <filesystem>

#include "tinymlops/nn/evaluate_job.h"
#include "tinymlops/nn/model.h"

namespace tinymlops {

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

}  // namespace tinymlops

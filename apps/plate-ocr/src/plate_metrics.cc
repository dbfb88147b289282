#include "plate_ocr/plate_metrics.h"

#include <algorithm>
#include <charconv>

#include "tinymlops/core/error.h"

namespace tinymlops {

namespace {

// Shortest decimal that reads back as `value`.
std::string shortest(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

// Characters of `text` equal to the truth at the same position.
std::size_t right_positions(const std::string& text, const std::string& truth) {
  std::size_t right = 0;
  for (std::size_t i = 0; i < std::min(text.size(), truth.size()); ++i) right += text[i] == truth[i] ? 1 : 0;
  return right;
}

// numerator / denominator, 0 when there is nothing to count.
double rate(std::size_t numerator, std::size_t denominator) {
  return denominator == 0 ? 0.0 : static_cast<double>(numerator) / static_cast<double>(denominator);
}

void check_outcome(const PlateOutcome& outcome, std::size_t index) {
  if (!outcome.segmented) return;
  const std::string place = "outcome " + std::to_string(index);
  if (outcome.raw.empty()) throw Error(ErrorKind::kInvalid, place, "segmented but the raw reading is empty");
  if (outcome.confidences.size() != outcome.raw.size()) {
    throw Error(ErrorKind::kInvalid, place,
                std::to_string(outcome.confidences.size()) + " confidences for a raw reading of " +
                    std::to_string(outcome.raw.size()) + " characters");
  }
}

void check_thresholds(const std::vector<double>& thresholds) {
  for (std::size_t i = 0; i < thresholds.size(); ++i) {
    const double t = thresholds[i];
    if (!(t >= 0.0 && t <= 1.0)) {
      throw Error(ErrorKind::kInvalid, "threshold " + shortest(t), "confidence thresholds lie in [0, 1]");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (shortest(thresholds[j]) == shortest(t)) {
        throw Error(ErrorKind::kInvalid, "threshold " + shortest(t), "given twice");
      }
    }
  }
}

void add_reading_keys(nlohmann::ordered_json& out, const PlateScores& scores, const ReadingScores& reading) {
  out["plates"] = scores.plates;
  out["segmentation_failures"] = scores.segmentation_failures;
  out["plate_accuracy"] = reading.plate_accuracy;
  out["char_accuracy"] = reading.char_accuracy;
  for (std::size_t i = 0; i < scores.thresholds.size(); ++i) {
    out[threshold_key("acc", scores.thresholds[i])] = reading.acc_at[i];
  }
  for (std::size_t i = 0; i < scores.thresholds.size(); ++i) {
    out[threshold_key("coverage", scores.thresholds[i])] = scores.coverage_at[i];
  }
}

}  // namespace

std::vector<double> default_confidence_thresholds() {
  std::vector<double> thresholds;
  for (int tenths = 2; tenths <= 9; ++tenths) thresholds.push_back(tenths / 10.0);
  return thresholds;
}

std::string threshold_key(const std::string& metric, double threshold) { return metric + "@" + shortest(threshold); }

PlateScores score_plates(const std::vector<PlateOutcome>& outcomes, const std::vector<double>& thresholds) {
  check_thresholds(thresholds);
  for (std::size_t i = 0; i < outcomes.size(); ++i) check_outcome(outcomes[i], i);

  const std::size_t count = thresholds.size();
  std::size_t truth_chars = 0, right_chars_corrected = 0, right_chars_raw = 0;
  std::size_t right_corrected = 0, right_raw = 0, failures = 0;
  std::vector<std::size_t> accepted(count, 0), accepted_right_corrected(count, 0), accepted_right_raw(count, 0);
  for (const PlateOutcome& outcome : outcomes) {
    truth_chars += outcome.truth.size();
    if (!outcome.segmented) {
      ++failures;
      continue;
    }
    const bool corrected_right = outcome.corrected == outcome.truth;
    const bool raw_right = outcome.raw == outcome.truth;
    right_corrected += corrected_right ? 1 : 0;
    right_raw += raw_right ? 1 : 0;
    right_chars_corrected += right_positions(outcome.corrected, outcome.truth);
    right_chars_raw += right_positions(outcome.raw, outcome.truth);
    // Compared in float: the confidences are float probabilities widened to double.
    const auto least = static_cast<float>(*std::min_element(outcome.confidences.begin(), outcome.confidences.end()));
    for (std::size_t k = 0; k < count; ++k) {
      if (least < static_cast<float>(thresholds[k])) continue;
      ++accepted[k];
      accepted_right_corrected[k] += corrected_right ? 1 : 0;
      accepted_right_raw[k] += raw_right ? 1 : 0;
    }
  }

  PlateScores scores;
  scores.plates = outcomes.size();
  scores.segmentation_failures = failures;
  scores.thresholds = thresholds;
  scores.corrected.plate_accuracy = rate(right_corrected, outcomes.size());
  scores.raw.plate_accuracy = rate(right_raw, outcomes.size());
  scores.corrected.char_accuracy = rate(right_chars_corrected, truth_chars);
  scores.raw.char_accuracy = rate(right_chars_raw, truth_chars);
  for (std::size_t k = 0; k < count; ++k) {
    scores.coverage_at.push_back(rate(accepted[k], outcomes.size()));
    scores.corrected.acc_at.push_back(rate(accepted_right_corrected[k], outcomes.size()));
    scores.raw.acc_at.push_back(rate(accepted_right_raw[k], outcomes.size()));
  }
  return scores;
}

nlohmann::ordered_json plate_scores_json(const PlateScores& scores) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  add_reading_keys(out, scores, scores.corrected);
  nlohmann::ordered_json without = nlohmann::ordered_json::object();
  add_reading_keys(without, scores, scores.raw);
  out["without_heuristics"] = std::move(without);
  return out;
}

}  // namespace tinymlops

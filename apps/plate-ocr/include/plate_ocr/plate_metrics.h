// Plate-level scores of an OCR run: plate accuracy, character accuracy and
// accuracy at confidence thresholds, for the corrected readings (with the
// plate rules of plate_rules.h) and the raw ones (without).
//
// A plate is right when its whole text equals the truth. At a threshold t the
// system accepts a plate only when its segmentation worked and its least
// confident character reaches t; acc@t is the fraction of ALL plates that are
// accepted and right, coverage@t the fraction accepted:
//
//   std::vector<PlateOutcome> outcomes = {
//       {"ABC1234", true, "A8C1234", "ABC1234", {0.9, 0.6, 0.9, 0.9, 0.9, 0.9, 0.9}},
//       {"XYZ9876", false, "", "", {}}};  // segmentation failed
//   PlateScores scores = score_plates(outcomes);
//   // scores.corrected.plate_accuracy == 0.5, scores.raw.plate_accuracy == 0,
//   // scores.corrected.acc_at[3] (t = 0.5) == 0.5, at t = 0.7 it is 0
//   plate_scores_json(scores)["acc@0.5"] == 0.5
//
// docs/plate-ocr-rules.md defines every number.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tinymlops {

// What the OCR pipeline made of one plate.
struct PlateOutcome {
  std::string truth;      // the plate's real text
  bool segmented = true;  // false: the segmenter failed; raw, corrected, confidences are ignored
  std::string raw;        // the classifier's argmax, one character per crop
  std::string corrected;  // raw after apply_plate_rules
  std::vector<double> confidences;  // per crop, the classifier's largest probability (a float widened)
};

// Scores of one kind of reading (corrected or raw) over all plates.
struct ReadingScores {
  double plate_accuracy = 0;   // plates whose text == truth / plates
  double char_accuracy = 0;    // positions equal to the truth / total truth characters
  std::vector<double> acc_at;  // per threshold: accepted and right / plates
};

struct PlateScores {
  std::size_t plates = 0;
  std::size_t segmentation_failures = 0;
  std::vector<double> thresholds;   // as given
  std::vector<double> coverage_at;  // per threshold: accepted / plates (the same for both readings)
  ReadingScores corrected;          // with the plate rules
  ReadingScores raw;                // without them
};

// 0.2, 0.3, ..., 0.9.
std::vector<double> default_confidence_thresholds();

// Scores `outcomes`. Character accuracy compares position by position; positions
// beyond the shorter of text and truth are wrong, and a failed segmentation
// counts all of its truth's characters wrong. A plate is accepted at t when it
// was segmented and every confidence, compared as float, is >= float(t) (so a
// float probability widened to double, 0.7f, passes t = 0.7). With no
// outcomes every rate is 0. Throws Error(kInvalid) naming the outcome
// ("outcome 3") when a segmented plate has an empty raw reading or a number of
// confidences other than raw.size(), and naming the threshold when one is
// outside [0, 1] or given twice.
PlateScores score_plates(const std::vector<PlateOutcome>& outcomes,
                         const std::vector<double>& thresholds = default_confidence_thresholds());

// METRIC@T with T the shortest decimal that reads back as `threshold`:
// threshold_key("acc", 0.5) == "acc@0.5", threshold_key("coverage", 0.25) ==
// "coverage@0.25" (never "acc@0.500000").
std::string threshold_key(const std::string& metric, double threshold);

// The metrics file of the benchmark, keys in this order: "plates",
// "segmentation_failures", "plate_accuracy", "char_accuracy", "acc@T" per
// threshold, "coverage@T" per threshold (threshold_key) for the
// corrected readings, then "without_heuristics": the same keys for the raw
// readings (gates see them as "without_heuristics.acc@0.5").
nlohmann::ordered_json plate_scores_json(const PlateScores& scores);

}  // namespace tinymlops

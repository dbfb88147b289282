#include "plate_ocr/plate_metrics.h"

#include <gtest/gtest.h>

#include <cmath>

#include "test_util.h"

namespace tinymlops {
namespace {

using testing::error_of;

// Seven float probabilities widened to double, as a reader records them.
std::vector<double> confidences(float least, int at = 0) {
  std::vector<double> values(7, static_cast<double>(0.99f));
  values[static_cast<std::size_t>(at)] = static_cast<double>(least);
  return values;
}

PlateOutcome failed(const std::string& truth) { return {truth, false, "", "", {}}; }

// Four plates: one right both ways, one right only after correction, one wrong
// both ways (2 characters off), one segmentation failure.
std::vector<PlateOutcome> four_plates() {
  return {
      {"ABC1234", true, "ABC1234", "ABC1234", confidences(0.95f)},
      {"ABC1D23", true, "A8C1D23", "ABC1D23", confidences(0.45f, 1)},
      {"XYZ9876", true, "XYZ9800", "XYZ9800", confidences(0.9f)},
      failed("QWE4R56"),
  };
}

TEST(PlateMetrics, DefaultThresholdsAreTwoTenthsToNineTenths) {
  const std::vector<double> thresholds = default_confidence_thresholds();
  ASSERT_EQ(thresholds.size(), 8u);
  std::vector<std::string> keys;
  for (double t : thresholds) keys.push_back(threshold_key("acc", t));
  EXPECT_EQ(keys, (std::vector<std::string>{"acc@0.2", "acc@0.3", "acc@0.4", "acc@0.5", "acc@0.6", "acc@0.7",
                                            "acc@0.8", "acc@0.9"}));
  EXPECT_EQ(threshold_key("coverage", 0.25), "coverage@0.25");
  EXPECT_EQ(threshold_key("acc", 1.0), "acc@1");
  // The literals a caller writes give the same keys.
  EXPECT_EQ(thresholds, (std::vector<double>{0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}));
}

TEST(PlateMetrics, AccuraciesWithAndWithoutHeuristics) {
  const PlateScores scores = score_plates(four_plates());
  EXPECT_EQ(scores.plates, 4u);
  EXPECT_EQ(scores.segmentation_failures, 1u);
  EXPECT_DOUBLE_EQ(scores.corrected.plate_accuracy, 2.0 / 4);
  EXPECT_DOUBLE_EQ(scores.raw.plate_accuracy, 1.0 / 4);
  // Right characters: 7 + 7 + 5 + 0 (failure) of 28; raw loses the '8'.
  EXPECT_DOUBLE_EQ(scores.corrected.char_accuracy, 19.0 / 28);
  EXPECT_DOUBLE_EQ(scores.raw.char_accuracy, 18.0 / 28);
  // Accepted (least confidence >= t): plates 1 and 3 up to 0.9, plate 2 up to 0.4.
  const std::vector<double> coverage = {0.75, 0.75, 0.75, 0.5, 0.5, 0.5, 0.5, 0.5};
  const std::vector<double> acc = {0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.25};
  const std::vector<double> acc_raw = {0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25};
  EXPECT_EQ(scores.coverage_at, coverage);
  EXPECT_EQ(scores.corrected.acc_at, acc);
  EXPECT_EQ(scores.raw.acc_at, acc_raw);
}

TEST(PlateMetrics, ConfidenceEqualToTheThresholdCounts) {
  // Float confidences exactly at a threshold's float value are accepted, also
  // for thresholds like 0.7 that float cannot hold exactly (0.7f < 0.7).
  for (double t : default_confidence_thresholds()) {
    SCOPED_TRACE(t);
    const float at = static_cast<float>(t);
    const float below = std::nextafter(at, 0.0f);
    const std::vector<PlateOutcome> outcomes = {{"ABC1234", true, "ABC1234", "ABC1234", confidences(at, 6)},
                                                {"ABC1234", true, "ABC1234", "ABC1234", confidences(below, 3)}};
    const PlateScores scores = score_plates(outcomes, {t});
    EXPECT_DOUBLE_EQ(scores.corrected.acc_at[0], 0.5);
    EXPECT_DOUBLE_EQ(scores.coverage_at[0], 0.5);
  }
}

TEST(PlateMetrics, SegmentationFailuresNeverCountEvenAtThresholdZero) {
  const std::vector<PlateOutcome> outcomes = {failed("ABC1234"), {"ABC1234", true, "ABC1234", "ABC1234", confidences(0.0f)}};
  const PlateScores scores = score_plates(outcomes, {0.0});
  EXPECT_DOUBLE_EQ(scores.coverage_at[0], 0.5);
  EXPECT_DOUBLE_EQ(scores.corrected.acc_at[0], 0.5);
  EXPECT_DOUBLE_EQ(scores.corrected.plate_accuracy, 0.5);
  EXPECT_DOUBLE_EQ(scores.corrected.char_accuracy, 0.5);
  // A failure's leftover raw text is ignored.
  PlateOutcome leftover = failed("ABC1234");
  leftover.raw = leftover.corrected = "ABC1234";
  EXPECT_DOUBLE_EQ(score_plates({leftover}).corrected.plate_accuracy, 0.0);
}

TEST(PlateMetrics, WrongLengthReadingsCountMissingPositionsWrong) {
  const std::vector<PlateOutcome> outcomes = {{"ABC1234", true, "ABC12", "ABC12", std::vector<double>(5, 0.9)}};
  const PlateScores scores = score_plates(outcomes);
  EXPECT_DOUBLE_EQ(scores.corrected.char_accuracy, 5.0 / 7);
  EXPECT_DOUBLE_EQ(scores.corrected.plate_accuracy, 0.0);
}

TEST(PlateMetrics, NoPlatesScoreZero) {
  const PlateScores scores = score_plates({});
  EXPECT_EQ(scores.plates, 0u);
  EXPECT_EQ(scores.corrected.plate_accuracy, 0.0);
  EXPECT_EQ(scores.raw.char_accuracy, 0.0);
  EXPECT_EQ(scores.coverage_at, std::vector<double>(8, 0.0));
  EXPECT_EQ(plate_scores_json(scores)["acc@0.5"], 0.0);
  EXPECT_EQ(plate_scores_json(scores)["without_heuristics"]["acc@0.9"], 0.0);
}

TEST(PlateMetrics, JsonKeysInOrderNestedWithoutHeuristics) {
  const nlohmann::ordered_json json = plate_scores_json(score_plates(four_plates()));
  std::vector<std::string> keys;
  for (const auto& [key, value] : json.items()) keys.push_back(key);
  const std::vector<std::string> expected = {
      "plates",       "segmentation_failures", "plate_accuracy", "char_accuracy", "acc@0.2",      "acc@0.3",
      "acc@0.4",      "acc@0.5",               "acc@0.6",        "acc@0.7",       "acc@0.8",      "acc@0.9",
      "coverage@0.2", "coverage@0.3",          "coverage@0.4",   "coverage@0.5",  "coverage@0.6", "coverage@0.7",
      "coverage@0.8", "coverage@0.9",          "without_heuristics"};
  EXPECT_EQ(keys, expected);
  std::vector<std::string> nested;
  for (const auto& [key, value] : json["without_heuristics"].items()) nested.push_back(key);
  EXPECT_EQ(nested, std::vector<std::string>(expected.begin(), expected.end() - 1));
  EXPECT_EQ(json["plates"], 4);
  EXPECT_EQ(json["segmentation_failures"], 1);
  EXPECT_EQ(json["acc@0.4"], 0.5);
  EXPECT_EQ(json["acc@0.5"], 0.25);
  EXPECT_EQ(json["coverage@0.4"], 0.75);
  EXPECT_EQ(json["without_heuristics"]["acc@0.4"], 0.25);
  EXPECT_EQ(json["without_heuristics"]["plate_accuracy"], 0.25);
  EXPECT_EQ(json["without_heuristics"]["coverage@0.4"], 0.75);
}

TEST(PlateMetrics, BadInputIsRefusedNamingTheOutcome) {
  std::vector<PlateOutcome> outcomes = four_plates();
  outcomes[2].confidences.pop_back();
  EXPECT_EQ(error_of([&] { score_plates(outcomes); }), "outcome 2: 6 confidences for a raw reading of 7 characters");
  outcomes = four_plates();
  outcomes[0].raw.clear();
  EXPECT_EQ(error_of([&] { score_plates(outcomes); }), "outcome 0: segmented but the raw reading is empty");
  EXPECT_EQ(error_of([&] { score_plates(four_plates(), {0.5, 1.5}); }),
            "threshold 1.5: confidence thresholds lie in [0, 1]");
  EXPECT_EQ(error_of([&] { score_plates(four_plates(), {0.5, 0.5}); }), "threshold 0.5: given twice");
}

}  // namespace
}  // namespace tinymlops

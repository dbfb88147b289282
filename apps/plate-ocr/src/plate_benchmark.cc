#include "plate_ocr/plate_benchmark.h"

#include <algorithm>
#include <cstdio>

#include "tinymlops/core/file_io.h"
#include "plate_ocr/plate_metrics.h"
#include "plate_ocr/plate_reader.h"
#include "plate_ocr/plate_set.h"

namespace tinymlops {

namespace {

std::string model_variant(const LoadedModel& model) {
  const auto& description = model.description;
  return description.contains("variant") ? description["variant"].get<std::string>() : std::string("float32");
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6f", value);
  return text;
}

// What one model made of the set: its scores and its curves.
struct ModelScores {
  nlohmann::ordered_json metrics;
  std::vector<double> curve;      // acc@threshold with the rules
  std::vector<double> curve_raw;  // ... without them
};

ModelScores score_model(const std::filesystem::path& model_path, const PlateRules& rules,
                        const std::vector<PlateSetEntry>& set, const std::vector<GrayImage>& images,
                        const std::vector<double>& thresholds, std::string* errors_csv) {
  const PlateReader reader(model_path, rules);
  const std::vector<PlateReading> readings = reader.read(images);
  std::vector<PlateOutcome> outcomes;
  for (std::size_t i = 0; i < set.size(); ++i) {
    const PlateReading& reading = readings[i];
    outcomes.push_back({set[i].text, reading.segmented, reading.raw, reading.corrected.text, reading.confidences});
    if (reading.corrected.text == set[i].text) continue;
    const double least = reading.confidences.empty()
                             ? 0.0
                             : *std::min_element(reading.confidences.begin(), reading.confidences.end());
    *errors_csv += set[i].file + "," + model_path.filename().string() + "," + set[i].text + "," +
                   reading.raw + "," + reading.corrected.text + "," + number(least) + "," + reading.failure + "\n";
  }
  ModelScores scores;
  scores.metrics["model"] = model_path.string();
  scores.metrics["variant"] = model_variant(reader.model());
  const nlohmann::ordered_json computed = plate_scores_json(score_plates(outcomes, thresholds));
  for (const auto& [key, value] : computed.items()) scores.metrics[key] = value;
  for (double t : thresholds) {
    scores.curve.push_back(scores.metrics[threshold_key("acc", t)].get<double>());
    scores.curve_raw.push_back(scores.metrics["without_heuristics"][threshold_key("acc", t)].get<double>());
  }
  return scores;
}

}  // namespace

PlateBenchmark benchmark_plates(const PlateBenchmarkOptions& options, Progress& progress) {
  const PlateRules rules = options.rules.empty() ? brazilian_plate_rules() : load_plate_rules(options.rules);
  const std::vector<PlateSetEntry> set = read_plate_set(options.plates);
  std::vector<GrayImage> images;
  for (std::size_t i = 0; i < set.size(); ++i) {
    images.push_back(read_plate_image(set[i]));
    progress.update(static_cast<long>(i + 1), static_cast<long>(set.size()), "loading plates", {});
  }
  PlateBenchmark result;
  result.errors_csv = "image,model,truth,raw,corrected,min_confidence,failure\n";
  std::vector<ModelScores> scored;
  scored.push_back(score_model(options.model, rules, set, images, options.thresholds, &result.errors_csv));
  if (!options.reference.empty())
    scored.push_back(score_model(options.reference, rules, set, images, options.thresholds, &result.errors_csv));
  result.metrics = scored[0].metrics;
  if (scored.size() > 1) result.metrics["reference"] = scored[1].metrics;
  progress.event("scored", {{"plates", static_cast<double>(set.size())},
                            {"acc@0.5", result.metrics.value(threshold_key("acc", 0.5), 0.0)}});

  result.plot_csv = "threshold";
  for (std::size_t m = 0; m < scored.size(); ++m) {
    const std::string name = (m == 0 ? "" : "reference_") + scored[m].metrics["variant"].get<std::string>();
    result.plot_csv += "," + name + "," + name + "_without_heuristics";
  }
  result.plot_csv += "\n";
  for (std::size_t t = 0; t < options.thresholds.size(); ++t) {
    char threshold[16];
    std::snprintf(threshold, sizeof threshold, "%.2f", options.thresholds[t]);
    result.plot_csv += threshold;
    for (const ModelScores& s : scored) result.plot_csv += "," + number(s.curve[t]) + "," + number(s.curve_raw[t]);
    result.plot_csv += "\n";
  }
  return result;
}

PlateBenchmark run_plate_benchmark(const PlateBenchmarkOptions& options, Progress& progress) {
  PlateBenchmark result = benchmark_plates(options, progress);
  if (!options.out.empty()) write_file_atomic(options.out, result.metrics.dump(2) + "\n");
  if (!options.plot.empty()) write_file_atomic(options.plot, result.plot_csv);
  if (!options.errors.empty()) write_file_atomic(options.errors, result.errors_csv);
  return result;
}

}  // namespace tinymlops

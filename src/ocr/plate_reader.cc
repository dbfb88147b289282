#include "tinymlops/ocr/plate_reader.h"

#include <algorithm>
#include <cstdio>

#include "tinymlops/core/error.h"
#include "tinymlops/data/csv.h"
#include "tinymlops/ocr/plate_format.h"
#include "tinymlops/ocr/plate_metrics.h"
#include "tinymlops/ocr/segment.h"

namespace tinymlops {

namespace {

std::string model_variant(const LoadedModel& model) {
  const auto& description = model.description;
  return description.contains("variant") ? description["variant"].get<std::string>() : std::string("float32");
}

}  // namespace

PlateReader::PlateReader(const std::filesystem::path& model, PlateRules rules)
    : model_(load_any_model(model)), rules_(std::move(rules)) {
  const std::string where = model.string();
  const auto& shape = model_.description["input_shape"];
  if (model_.metadata.task != Task::kClassification || shape.size() != 3 || shape[2].get<int>() != 1) {
    throw Error(ErrorKind::kInvalid, where,
                "not a character classifier: expected a classification model with input shape HxWx1, got " +
                    shape.dump());
  }
  crop_height_ = shape[0].get<int>();
  crop_width_ = shape[1].get<int>();
  const std::string alphabet = kPlateAlphabet;
  for (const std::string& name : model_.metadata.class_names) {
    if (name.size() != 1 || alphabet.find(name[0]) == std::string::npos) {
      throw Error(ErrorKind::kInvalid, where, "class \"" + name + "\" is not a plate character (0-9, A-Z)");
    }
    class_chars_.push_back(name[0]);
  }
}

std::vector<PlateReading> PlateReader::read(const std::vector<GrayImage>& plates) const {
  std::vector<PlateReading> readings(plates.size());
  std::vector<std::vector<float>> rows;
  SegmentOptions options;
  options.crop_width = crop_width_;
  options.crop_height = crop_height_;
  for (std::size_t i = 0; i < plates.size(); ++i) {
    Segmentation segmentation = segment_plate(plates[i], options);
    readings[i].segmented = segmentation.ok;
    readings[i].failure = segmentation.failure;
    if (segmentation.ok)
      for (const GrayImage& crop : segmentation.crops) rows.push_back(crop_features(crop));
  }
  const auto features = static_cast<Eigen::Index>(crop_width_) * crop_height_;
  Matrix batch(static_cast<Eigen::Index>(rows.size()), features);
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (Eigen::Index c = 0; c < features; ++c) batch(static_cast<Eigen::Index>(r), c) = rows[r][static_cast<std::size_t>(c)];
  const Matrix probabilities = rows.empty() ? Matrix() : model_.predict(batch);

  Eigen::Index row = 0;
  for (PlateReading& reading : readings) {
    if (!reading.segmented) {
      reading.corrected = apply_plate_rules(reading.raw, rules_);
      continue;
    }
    const std::size_t characters = rows.size() == 0 ? 0 : static_cast<std::size_t>(SegmentOptions{}.expected_chars);
    for (std::size_t k = 0; k < characters; ++k, ++row) {
      Eigen::Index best = 0;
      probabilities.row(row).maxCoeff(&best);
      reading.raw += class_chars_[static_cast<std::size_t>(best)];
      reading.confidences.push_back(static_cast<double>(probabilities(row, best)));
    }
    reading.corrected = apply_plate_rules(reading.raw, rules_);
  }
  return readings;
}

std::vector<PlateSetEntry> read_plate_set(const std::filesystem::path& dir) {
  const CsvTable table = read_csv(dir / "plates.csv");
  const auto column = [&](const char* name) {
    const auto it = std::find(table.header.begin(), table.header.end(), name);
    if (it == table.header.end()) {
      throw Error(ErrorKind::kParse, table.source + ":" + std::to_string(table.header_line),
                  std::string("no \"") + name + "\" column (a plates set has file,text,format)");
    }
    return static_cast<std::size_t>(it - table.header.begin());
  };
  const std::size_t file = column("file"), text = column("text"), format = column("format");
  std::vector<PlateSetEntry> entries;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    if (row[file].empty() || row[text].empty()) {
      throw Error(ErrorKind::kParse, table.source + ":" + std::to_string(table.line_numbers[r]),
                  "empty file or text");
    }
    entries.push_back({dir / row[file], row[text], row[format]});
  }
  return entries;
}

namespace {

// Reads the whole set with `model_path`; returns the scores (score_plates' keys)
// with "model", "variant" and the first misread plates.
nlohmann::ordered_json score_model(const std::filesystem::path& model_path, const PlateRules& rules,
                                   const std::vector<PlateSetEntry>& set, const std::vector<GrayImage>& images,
                                   const PlateBenchmarkOptions& options, std::vector<double>* curve,
                                   std::vector<double>* curve_raw) {
  const PlateReader reader(model_path, rules);
  const std::vector<PlateReading> readings = reader.read(images);
  std::vector<PlateOutcome> outcomes;
  nlohmann::ordered_json misread = nlohmann::json::array();
  for (std::size_t i = 0; i < set.size(); ++i) {
    const PlateReading& reading = readings[i];
    outcomes.push_back({set[i].text, reading.segmented, reading.raw, reading.corrected.text, reading.confidences});
    if (reading.corrected.text != set[i].text && static_cast<int>(misread.size()) < options.examples) {
      misread.push_back({{"image", set[i].image.filename().string()},
                         {"truth", set[i].text},
                         {"raw", reading.raw},
                         {"corrected", reading.corrected.text},
                         {"failure", reading.failure}});
    }
  }
  nlohmann::ordered_json scores;
  scores["model"] = model_path.string();
  scores["variant"] = model_variant(reader.model());
  const nlohmann::ordered_json computed = plate_scores_json(score_plates(outcomes, options.thresholds));
  for (const auto& [key, value] : computed.items()) scores[key] = value;
  for (double t : options.thresholds) {
    curve->push_back(scores[threshold_key("acc", t)].get<double>());
    curve_raw->push_back(scores["without_heuristics"][threshold_key("acc", t)].get<double>());
  }
  scores["misread"] = misread;
  return scores;
}

}  // namespace

PlateBenchmark benchmark_plates(const PlateBenchmarkOptions& options, Progress& progress) {
  const PlateRules rules = options.rules.empty() ? brazilian_plate_rules() : load_plate_rules(options.rules);
  const std::vector<PlateSetEntry> set = read_plate_set(options.plates);
  std::vector<GrayImage> images;
  for (std::size_t i = 0; i < set.size(); ++i) {
    images.push_back(read_pgm(set[i].image));
    progress.update(static_cast<long>(i + 1), static_cast<long>(set.size()), "loading plates", {});
  }
  PlateBenchmark result;
  std::vector<double> curve, curve_raw, reference_curve, reference_curve_raw;
  result.metrics = score_model(options.model, rules, set, images, options, &curve, &curve_raw);
  progress.event("scored", {{"plates", static_cast<double>(set.size())}});
  std::string header = "threshold," + result.metrics["variant"].get<std::string>() + "," +
                       result.metrics["variant"].get<std::string>() + "_without_heuristics";
  if (!options.reference.empty()) {
    result.metrics["reference"] =
        score_model(options.reference, rules, set, images, options, &reference_curve, &reference_curve_raw);
    const std::string name = "reference_" + result.metrics["reference"]["variant"].get<std::string>();
    header += "," + name + "," + name + "_without_heuristics";
    progress.event("scored reference", {{"plates", static_cast<double>(set.size())}});
  }
  result.plot_csv = header + "\n";
  for (std::size_t t = 0; t < options.thresholds.size(); ++t) {
    char line[160];
    std::snprintf(line, sizeof line, "%.2f,%.6f,%.6f", options.thresholds[t], curve[t], curve_raw[t]);
    result.plot_csv += line;
    if (!options.reference.empty()) {
      std::snprintf(line, sizeof line, ",%.6f,%.6f", reference_curve[t], reference_curve_raw[t]);
      result.plot_csv += line;
    }
    result.plot_csv += "\n";
  }
  return result;
}

}  // namespace tinymlops

#include "plate_ocr/plate_reader.h"

#include <algorithm>
#include <cstdio>

#include "tinymlops/core/error.h"
#include "plate_ocr/plate_format.h"
#include "plate_ocr/segment.h"

namespace tinymlops {

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
  SegmentOptions options;
  options.crop_width = crop_width_;
  options.crop_height = crop_height_;
  std::vector<PlateReading> readings(plates.size());
  std::vector<std::size_t> crop_counts(plates.size(), 0);
  std::vector<std::vector<float>> rows;
  for (std::size_t i = 0; i < plates.size(); ++i) {
    const Segmentation segmentation = segment_plate(plates[i], options);
    readings[i].segmented = segmentation.ok;
    readings[i].failure = segmentation.failure;
    if (!segmentation.ok) continue;
    crop_counts[i] = segmentation.crops.size();
    for (const GrayImage& crop : segmentation.crops) rows.push_back(crop_features(crop));
  }
  const auto features = static_cast<Eigen::Index>(crop_width_) * crop_height_;
  Matrix batch(static_cast<Eigen::Index>(rows.size()), features);
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (Eigen::Index c = 0; c < features; ++c)
      batch(static_cast<Eigen::Index>(r), c) = rows[r][static_cast<std::size_t>(c)];
  const Matrix probabilities = rows.empty() ? Matrix() : model_.predict(batch);

  Eigen::Index row = 0;
  for (std::size_t i = 0; i < plates.size(); ++i) {
    PlateReading& reading = readings[i];
    for (std::size_t k = 0; k < crop_counts[i]; ++k, ++row) {
      Eigen::Index best = 0;
      probabilities.row(row).maxCoeff(&best);
      reading.raw += class_chars_[static_cast<std::size_t>(best)];
      reading.confidences.push_back(static_cast<double>(probabilities(row, best)));
    }
    reading.corrected = apply_plate_rules(reading.raw, rules_);
  }
  return readings;
}

}  // namespace tinymlops

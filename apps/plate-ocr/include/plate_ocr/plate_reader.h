// Reading license plates with a character classifier: cut the plate into
// characters (segment.h), classify every crop with a tinymlops model (float .tmlm
// or deployed .tdm, the same engine `evaluate` runs), then apply the plate rules
// (plate_rules.h).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "plate_ocr/image.h"
#include "plate_ocr/plate_rules.h"
#include "tinymlops/runtime/any_model.h"

namespace tinymlops {

// One plate as read: the classifier's characters before and after the rules.
struct PlateReading {
  bool segmented = false;
  std::string failure;               // why segmentation failed (segmented == false)
  std::string raw;                   // argmax character per position
  std::vector<double> confidences;   // the classifier's top probability per position
  CorrectedPlate corrected;          // raw after the plate rules
};

class PlateReader {
 public:
  // Opens `model`, a classifier over character crops whose input shape is
  // H x W x 1 and whose classes are characters of kPlateAlphabet; the crops are
  // cut at that size. Throws Error naming the model file when it is not such a
  // classifier.
  PlateReader(const std::filesystem::path& model, PlateRules rules);

  // Reads every plate, classifying all crops in one batch.
  std::vector<PlateReading> read(const std::vector<GrayImage>& plates) const;

  int crop_width() const { return crop_width_; }
  int crop_height() const { return crop_height_; }
  const LoadedModel& model() const { return model_; }

 private:
  LoadedModel model_;
  PlateRules rules_;
  int crop_width_ = 0;
  int crop_height_ = 0;
  std::vector<char> class_chars_;  // output index -> character
};

}  // namespace tinymlops

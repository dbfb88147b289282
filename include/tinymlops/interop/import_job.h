// The job behind `tinymlops import`: read an ONNX or Keras file into a trained
// model (onnx_import.h, keras_import.h), apply the overrides, write the model file.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tinymlops/nn/model.h"

namespace tinymlops {

struct ImportConfig {
  std::string input;  // .onnx, .keras or .h5 (told apart by the extension)
  std::string out;    // trained model to write (.tmlm); empty: not written
  // Overrides of what the file says or the defaults (onnx_import.h):
  std::vector<std::string> feature_names;  // exactly the model's input size
  std::string label;                       // label column name
  std::vector<std::string> class_names;    // exactly the output size; sets classification
  bool regression = false;                 // sets regression (no class names)
};

struct ImportResult {
  Model model;
  // {"source","format","input_shape","output_shape","layers","params","task",
  //  "features","label","classes","model","file_bytes"}
  nlohmann::ordered_json report;
};

// Throws Error(kUsage) at "--features"/"--classes" for a count that does not
// match the model, or for an unknown extension; the importers' errors otherwise.
ImportResult run_import(const ImportConfig& config);

}  // namespace tinymlops

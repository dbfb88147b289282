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

// What `tinymlops import` read and wrote.
struct ImportReport {
  std::string source;        // ImportConfig::input
  std::string format;        // "onnx", "keras" (.keras) or "keras-h5" (.h5, .hdf5)
  std::string input_shape;   // Shape::to_string of one sample, e.g. "8x8x3"
  std::string output_shape;
  size_t layers = 0;
  int64_t params = 0;        // trainable parameters
  std::string task;          // task_name: "classification" or "regression"
  size_t features = 0;       // feature names the model carries
  std::string label;         // label column name
  std::vector<std::string> classes;  // class names, one per output (classification); else empty
  std::string normalization;  // normalization_name of the input normalization found in the graph
  std::string model;          // the file written (ImportConfig::out), or empty
  size_t file_bytes = 0;      // its size in bytes
};

// The report as `import --json` prints it, keys in this order:
// {"source","format","input_shape","output_shape","layers","params","task",
//  "features","label","classes":[names],"normalization",["model","file_bytes" (written)]}
nlohmann::ordered_json to_json(const ImportReport& report);

struct ImportResult {
  Model model;
  ImportReport report;
};

// Throws Error(kUsage) at "--features"/"--classes" for a count that does not
// match the model, or for an unknown extension; the importers' errors otherwise.
ImportResult run_import(const ImportConfig& config);

}  // namespace tinymlops

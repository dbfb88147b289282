// The job behind `tinymlops export`: read a model file, write it as ONNX
// (onnx_export.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace tinymlops {

struct ExportConfig {
  std::string model;           // .tmlm (lowered to float32) or .tdm
  std::string format = "onnx";  // the only format
  std::string out;             // REQUIRED
};

// What `tinymlops export` wrote.
struct ExportReport {
  std::string model;      // ExportConfig::model
  std::string variant;    // the deploy model's variant ("float32" for a .tmlm, "int8", ...)
  std::string format;     // ExportConfig::format: "onnx"
  size_t ops = 0;         // ops of the deploy model exported
  std::string out;        // the file written (ExportConfig::out)
  size_t file_bytes = 0;  // its size in bytes
};

// {"model","variant","format","ops","out","file_bytes"}, in this order.
nlohmann::ordered_json to_json(const ExportReport& report);

// Throws Error(kUsage) at "--format" for a format other than onnx and at "--out"
// when config.out is empty; the exporter's errors otherwise.
ExportReport run_export(const ExportConfig& config);

}  // namespace tinymlops

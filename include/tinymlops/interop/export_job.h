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

// Report: {"model","variant","format","ops","out","file_bytes"}. Throws
// Error(kUsage) at "--format" for a format other than onnx and at "--out" when
// config.out is empty; the exporter's errors otherwise.
nlohmann::ordered_json run_export(const ExportConfig& config);

}  // namespace tinymlops

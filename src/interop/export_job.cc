#include "tinymlops/interop/export_job.h"

#include <filesystem>

#include "tinymlops/core/error.h"
#include "tinymlops/interop/onnx_export.h"
#include "tinymlops/runtime/any_model.h"

namespace tinymlops {

ExportReport run_export(const ExportConfig& config) {
  if (config.format != "onnx") throw Error(ErrorKind::kUsage, "--format", "unknown format '" + config.format + "' (onnx)");
  if (config.out.empty()) throw Error(ErrorKind::kUsage, "--out", "is required");
  const DeployModel model = load_as_deploy_model(config.model);
  save_onnx(model, config.out);
  ExportReport r;
  r.model = config.model;
  r.variant = model.variant;
  r.format = config.format;
  r.ops = model.ops.size();
  r.out = config.out;
  r.file_bytes = static_cast<size_t>(std::filesystem::file_size(config.out));
  return r;
}

nlohmann::ordered_json to_json(const ExportReport& r) {
  nlohmann::ordered_json j;
  j["model"] = r.model;
  j["variant"] = r.variant;
  j["format"] = r.format;
  j["ops"] = r.ops;
  j["out"] = r.out;
  j["file_bytes"] = r.file_bytes;
  return j;
}

}  // namespace tinymlops

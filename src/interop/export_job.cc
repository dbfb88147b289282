#include "tinymlops/interop/export_job.h"

#include <filesystem>

#include "tinymlops/core/error.h"
#include "tinymlops/interop/onnx_export.h"
#include "tinymlops/runtime/any_model.h"

namespace tinymlops {

nlohmann::ordered_json run_export(const ExportConfig& config) {
  if (config.format != "onnx") throw Error(ErrorKind::kUsage, "--format", "unknown format '" + config.format + "' (onnx)");
  if (config.out.empty()) throw Error(ErrorKind::kUsage, "--out", "is required");
  const DeployModel model = load_as_deploy_model(config.model);
  save_onnx(model, config.out);
  nlohmann::ordered_json r;
  r["model"] = config.model;
  r["variant"] = model.variant;
  r["format"] = config.format;
  r["ops"] = model.ops.size();
  r["out"] = config.out;
  r["file_bytes"] = std::filesystem::file_size(config.out);
  return r;
}

}  // namespace tinymlops

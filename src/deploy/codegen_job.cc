#include "tinymlops/deploy/codegen_job.h"

#include <filesystem>

#include "tinymlops/core/error.h"
#include "tinymlops/deploy/devices.h"
#include "tinymlops/runtime/any_model.h"

namespace tinymlops {

namespace {

void check_variant(const DeployModel& model, const CodegenConfig& config) {
  if (config.variant.empty() || config.variant == model.variant) return;
  std::string hint = "tinymlops quantize " + config.model + " --data DATA --out MODEL.tdm";
  if (config.variant == "int4") hint += " --bits 4";
  if (config.variant == "float16") hint += " --method fp16";
  if (config.variant == "int16x8") hint += " --activations int16";
  if (config.variant == "int8-weights") hint += " --method dynamic";
  throw Error(ErrorKind::kUsage, config.model,
              "is a " + model.variant + " model, not " + config.variant + "; make one first: " + hint);
}

}  // namespace

CodegenResult run_codegen(const CodegenConfig& config) {
  const PackageTarget target = parse_package_target(config.target);
  if (config.out.empty()) throw Error(ErrorKind::kUsage, "--out", "an output folder is required");
  const DeployModel model = load_as_deploy_model(config.model);
  check_variant(model, config);
  EmitOptions options;
  if (!config.device.empty()) {
    const Device& device = find_device(config.device);
    const FitReport fit = fit_model(model, device, config.model);
    if (!fit.fits) throw Error(ErrorKind::kInvalid, config.model, fit_failure_summary(fit));
    options.kernel_features = device.kernel_features;
  }
  options.name = config.name.empty() ? std::filesystem::path(config.model).stem().string() : config.name;
  options.source = std::filesystem::path(config.model).filename().string();
  options.command = config.command;
  options.offload_threshold = config.offload_threshold;
  const GeneratedCode code = emit_c(model, options);
  const std::vector<GeneratedFile> files = package_files(code, model, target);
  write_package(config.out, files);
  CodegenResult result;
  result.name = code.name;
  result.variant = model.variant;
  result.model_sha256 = code.model_sha256;
  for (const GeneratedFile& file : files) result.files.push_back(file.path);
  result.arena_bytes = code.plan.arena_bytes;
  result.arena_lower_bound_bytes = code.plan.lower_bound_bytes;
  result.constant_bytes = model.constant_bytes();
  result.integer_bits = code.integer_bits;
  return result;
}

}  // namespace tinymlops

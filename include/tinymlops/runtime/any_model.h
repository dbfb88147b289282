// Opens a trained model (.tmlm) or a deploy model (.tdm), told apart by the
// file's magic, for the commands that take either (evaluate, predict, inspect).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tinymlops/nn/evaluate_job.h"
#include "tinymlops/runtime/deploy_model.h"

namespace tinymlops {

struct LoadedModel {
  ModelMetadata metadata;
  Predictor predict;                    // owns the model it runs
  nlohmann::ordered_json description;  // what `inspect` shows (describe_model's keys)
};

// Throws Error(kFormat) naming the path for a file that is neither.
LoadedModel load_any_model(const std::filesystem::path& path);
// The same from a file's bytes; `source` names them in errors.
LoadedModel load_any_model_bytes(const std::string& bytes, const std::string& source);

// The deploy model of either file: a .tdm as it is, a .tmlm lowered to float32
// (lower.h). Throws Error(kFormat) naming the path for a file that is neither.
DeployModel load_as_deploy_model(const std::filesystem::path& path);

// describe_model's keys for a deploy model: "layers" lists the ops (kind, config
// with dtype and fused activation, output shape, params, macs), "weight_bytes" the
// bytes of all constants, plus "variant".
nlohmann::ordered_json describe_deploy_model(const DeployModel& model);

}  // namespace tinymlops

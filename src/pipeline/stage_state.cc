#include "pipeline/stage_state.h"

#include <algorithm>

#include "tinymlops/core/error.h"
#include "tinymlops/core/hash.h"
#include "tinymlops/pipeline/params.h"

namespace tinymlops::pipeline {

namespace fs = std::filesystem;

nlohmann::ordered_json ParamFiles::value(const ParamRef& ref) {
  auto it = files_.find(ref.file);
  if (it == files_.end()) it = files_.emplace(ref.file, read_yaml_as_json(root_ / ref.file)).first;
  const nlohmann::ordered_json* value = find_dotted(it->second, ref.key);
  if (value == nullptr) throw Error(ErrorKind::kInvalid, ref.file, "params key '" + ref.key + "' is missing");
  return *value;
}

fs::path in_project(const Pipeline& pipeline, const std::string& path) {
  return fs::path(path).is_absolute() ? fs::path(path) : pipeline.root / path;
}

std::string param_label(const std::string& file, const std::string& key) {
  return file == "params.yaml" ? key : file + ":" + key;
}

StageInputs current_inputs(const Pipeline& pipeline, const Stage& stage, OutputCache& cache, ParamFiles& params) {
  StageInputs inputs;
  for (const std::string& dep : stage.deps) {
    const fs::path path = in_project(pipeline, dep);
    inputs.deps.push_back({dep, fs::exists(path) ? cache.hash(path) : ""});
  }
  for (const ParamRef& ref : stage.params) inputs.params[ref.file][ref.key] = params.value(ref);
  return inputs;
}

std::vector<std::string> stale_reasons(const Pipeline& pipeline, const Stage& stage, const StageInputs& inputs,
                                       const LockedStage* locked, OutputCache& cache) {
  if (locked == nullptr) return {"never run"};
  std::vector<std::string> reasons;
  if (locked->cmd != stage.cmd) reasons.push_back("cmd changed");
  for (const PathHash& dep : inputs.deps) {
    auto it = std::find_if(locked->deps.begin(), locked->deps.end(), [&](const PathHash& l) { return l.path == dep.path; });
    if (dep.hash.empty()) reasons.push_back("missing dep " + dep.path);
    else if (it == locked->deps.end()) reasons.push_back("new dep " + dep.path);
    else if (it->hash != dep.hash) reasons.push_back("changed dep " + dep.path);
  }
  for (const PathHash& old : locked->deps) {
    if (std::none_of(inputs.deps.begin(), inputs.deps.end(), [&](const PathHash& d) { return d.path == old.path; })) {
      reasons.push_back("removed dep " + old.path);
    }
  }
  for (const auto& [file, values] : inputs.params) {
    for (const auto& [key, value] : values) {
      auto f = locked->params.find(file);
      const bool known = f != locked->params.end() && f->second.count(key);
      if (!known) reasons.push_back("new param " + param_label(file, key));
      else if (f->second.at(key) != value) reasons.push_back("changed param " + param_label(file, key));
    }
  }
  for (const auto& [file, values] : locked->params) {
    for (const auto& [key, value] : values) {
      auto f = inputs.params.find(file);
      if (f == inputs.params.end() || !f->second.count(key)) reasons.push_back("removed param " + param_label(file, key));
    }
  }
  const std::vector<std::string> outputs = stage.all_outputs();
  for (const std::string& out : outputs) {
    auto it = std::find_if(locked->outs.begin(), locked->outs.end(), [&](const PathHash& l) { return l.path == out; });
    if (!fs::exists(in_project(pipeline, out))) reasons.push_back("missing out " + out);
    else if (it == locked->outs.end()) reasons.push_back("new out " + out);
    else if (reasons.empty() && cache.hash(in_project(pipeline, out)) != it->hash) reasons.push_back("changed out " + out);
  }
  return reasons;
}

std::string run_cache_key(const Stage& stage, const StageInputs& inputs) {
  std::string text = "tinymlops-run-cache 1\ncmd " + stage.cmd + "\nwdir " + stage.wdir + "\n";
  for (const PathHash& dep : inputs.deps) text += "dep " + dep.hash + " " + dep.path + "\n";
  for (const auto& [file, values] : inputs.params) {
    for (const auto& [key, value] : values) text += "param " + file + " " + key + " " + value.dump() + "\n";
  }
  for (const std::string& out : stage.all_outputs()) text += "out " + out + "\n";
  return to_hex(sha256(text));
}

}  // namespace tinymlops::pipeline

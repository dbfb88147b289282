#include "tinymlops/pipeline/lock.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "pipeline/yaml_json.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"

namespace tinymlops::pipeline {

namespace {

const char* const kLockSource = "pipeline.lock";
constexpr int kSchema = 1;

std::string lock_place(const YAML::Node& node) { return yaml_place(kLockSource, node.Mark()); }

YAML::Node child(const YAML::Node& map, const std::string& key) {
  for (const auto& entry : map) {
    if (entry.first.Scalar() == key) return entry.second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

void expect(bool ok, const YAML::Node& node, const std::string& what) {
  if (!ok) throw Error(ErrorKind::kParse, lock_place(node), "expected " + what);
}

std::vector<PathHash> read_path_hashes(const YAML::Node& node) {
  std::vector<PathHash> list;
  if (!node.IsDefined() || node.IsNull()) return list;
  expect(node.IsSequence(), node, "a list of {path, hash}");
  for (const YAML::Node& item : node) {
    expect(item.IsMap() && child(item, "path").IsScalar() && child(item, "hash").IsScalar(), item,
           "an entry with 'path' and 'hash'");
    list.push_back({child(item, "path").Scalar(), child(item, "hash").Scalar()});
  }
  return list;
}

LockedStage read_stage(const YAML::Node& node) {
  expect(node.IsMap(), node, "a stage entry (cmd, deps, params, outs, metrics)");
  LockedStage stage;
  const YAML::Node cmd = child(node, "cmd");
  expect(cmd.IsScalar(), cmd.IsDefined() ? cmd : node, "'cmd'");
  stage.cmd = cmd.Scalar();
  stage.deps = read_path_hashes(child(node, "deps"));
  stage.outs = read_path_hashes(child(node, "outs"));
  if (const YAML::Node params = child(node, "params"); params.IsDefined() && !params.IsNull()) {
    expect(params.IsMap(), params, "params as FILE: {key: value}");
    for (const auto& file : params) {
      expect(file.second.IsMap(), file.second, "a mapping of key: value");
      for (const auto& entry : file.second) stage.params[file.first.Scalar()][entry.first.Scalar()] = yaml_to_json(entry.second);
    }
  }
  if (const YAML::Node metrics = child(node, "metrics"); metrics.IsDefined() && !metrics.IsNull()) {
    expect(metrics.IsMap(), metrics, "metrics as FILE: {key: value}");
    for (const auto& file : metrics) stage.metrics[file.first.Scalar()] = yaml_to_json(file.second);
  }
  return stage;
}

void emit_path_hashes(YAML::Emitter& out, const char* key, const std::vector<PathHash>& list) {
  if (list.empty()) return;
  out << YAML::Key << key << YAML::Value << YAML::BeginSeq;
  for (const PathHash& ph : list) {
    out << YAML::BeginMap << YAML::Key << "path" << YAML::Value << ph.path << YAML::Key << "hash" << YAML::Value
        << ph.hash << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

void emit_stage(YAML::Emitter& out, const LockedStage& stage) {
  out << YAML::BeginMap;
  out << YAML::Key << "cmd" << YAML::Value << stage.cmd;
  emit_path_hashes(out, "deps", stage.deps);
  if (!stage.params.empty()) {
    out << YAML::Key << "params" << YAML::Value << YAML::BeginMap;
    for (const auto& [file, values] : stage.params) {
      out << YAML::Key << file << YAML::Value << YAML::BeginMap;
      for (const auto& [key, value] : values) {
        out << YAML::Key << key << YAML::Value;
        emit_json(out, value);
      }
      out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  emit_path_hashes(out, "outs", stage.outs);
  if (!stage.metrics.empty()) {
    out << YAML::Key << "metrics" << YAML::Value << YAML::BeginMap;
    for (const auto& [file, values] : stage.metrics) {
      out << YAML::Key << file << YAML::Value;
      if (values.is_object() && values.empty()) out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
      else emit_json(out, values);
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

}  // namespace

const LockedStage* LockFile::find(const std::string& stage) const {
  auto it = stages.find(stage);
  return it == stages.end() ? nullptr : &it->second;
}

LockFile read_lock(const std::filesystem::path& file) {
  LockFile lock;
  if (!std::filesystem::exists(file)) return lock;
  const YAML::Node document = parse_yaml(read_file(file), kLockSource);
  if (document.IsNull()) return lock;
  expect(document.IsMap(), document, "a mapping with 'schema' and 'stages'");
  const YAML::Node schema = child(document, "schema");
  if (schema.IsDefined() && schema.Scalar() != std::to_string(kSchema)) {
    throw Error(ErrorKind::kFormat, lock_place(schema), "lock schema " + schema.Scalar() + " is newer than this tinymlops (" +
                                                    std::to_string(kSchema) + ")");
  }
  const YAML::Node stages = child(document, "stages");
  if (!stages.IsDefined() || stages.IsNull()) return lock;
  expect(stages.IsMap(), stages, "'stages' as a mapping");
  for (const auto& entry : stages) {
    lock.order.push_back(entry.first.Scalar());
    lock.stages[entry.first.Scalar()] = read_stage(entry.second);
  }
  return lock;
}

std::string lock_to_yaml(const LockFile& lock) {
  std::vector<std::string> names;
  for (const std::string& name : lock.order) {
    if (lock.stages.count(name) && std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  for (const auto& [name, stage] : lock.stages) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "schema" << YAML::Value << kSchema;
  out << YAML::Key << "stages" << YAML::Value;
  if (names.empty()) out << YAML::Flow;
  out << YAML::BeginMap;
  for (const std::string& name : names) {
    out << YAML::Key << name << YAML::Value;
    emit_stage(out, lock.stages.at(name));
  }
  out << YAML::EndMap << YAML::EndMap;
  return std::string("# pipeline.lock: written by tinymlops repro; do not edit\n") + out.c_str() + "\n";
}

void write_lock(const std::filesystem::path& file, const LockFile& lock) {
  write_file_atomic(file, lock_to_yaml(lock));
}

}  // namespace tinymlops::pipeline

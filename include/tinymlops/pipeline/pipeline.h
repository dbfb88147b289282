// Pipelines: the stages of pipeline.yaml, expanded and validated.
//
// A project root holds pipeline.yaml and (usually) params.yaml:
//
//   # pipeline.yaml
//   stages:
//     prepare:
//       cmd: python3 prepare.py --split ${split}      # ${...} reads params.yaml
//       deps: [prepare.py, data/raw.csv]
//       params: [split]                               # or FILE:key, dotted keys
//       outs: [data/prepared.csv]
//     train:
//       foreach: [small, large]                       # a list or a map
//       do:
//         cmd: ./train.sh ${item} > model-${item}.bin
//         deps: [train.sh, data/prepared.csv]
//         params: [train.epochs]
//         outs: [model-${item}.bin]
//         metrics: [metrics-${item}.json]
//         plots: [curve-${item}.csv]
//
//   Pipeline p = load_pipeline(root);   // stages "prepare", "train@small", "train@large"
//   for (size_t i : topological_order(p)) std::cout << p.stages[i].name << "\n";
//
// Paths in a stage are relative to its wdir (default: the project root) and are
// stored normalized and relative to the project root.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tinymlops::pipeline {

// One `params` entry: a dotted key looked up in a YAML file.
struct ParamRef {
  std::string file;  // project-relative, e.g. "params.yaml"
  std::string key;   // dotted path, e.g. "train.epochs"
  bool operator==(const ParamRef&) const = default;
};

struct Stage {
  std::string name;                  // "train" or "train@small" for foreach items
  std::string cmd;                   // run with /bin/sh -c in wdir; a list in YAML is joined with " && "
  std::string wdir;                  // project-relative working directory, "." for the root
  std::vector<std::string> deps;     // project-relative paths (files or directories)
  std::vector<ParamRef> params;
  std::vector<std::string> outs;     // declared outputs (files or directories)
  std::vector<std::string> metrics;  // metrics files (JSON or YAML); also outputs
  std::vector<std::string> plots;    // plots files (CSV or JSON); also outputs
  std::string location;              // "pipeline.yaml:LINE:COL" of the stage's name

  // outs, then metrics, then plots: everything the stage writes.
  std::vector<std::string> all_outputs() const;
};

struct Pipeline {
  std::filesystem::path root;  // the project root (holds pipeline.yaml)
  std::vector<Stage> stages;   // in declaration order (foreach items in their order)
  // upstream[i]: indices of the stages whose outputs stage i depends on, ascending.
  std::vector<std::vector<size_t>> upstream;

  // Index of the stage called `name`; Error(kUsage) listing the known names otherwise.
  size_t index_of(const std::string& name) const;
};

// The nearest directory from `start` upward that holds pipeline.yaml.
// Error(kIo) naming `start` when there is none.
std::filesystem::path find_project_root(const std::filesystem::path& start);

// Reads root/pipeline.yaml, expands foreach and ${...} templates (from
// root/params.yaml), and validates. Every problem is an Error naming
// "pipeline.yaml:LINE:COL" (or the params file): unknown keys, wrong types,
// undefined template variables, params keys missing in their file, two stages
// writing one output (or one inside the other), a dep that no stage produces and
// that does not exist, and cycles (named: "a -> b -> a").
Pipeline load_pipeline(const std::filesystem::path& root);

// Stage indices in dependency order. Deterministic: among the stages that are
// ready, the one declared first comes first.
std::vector<size_t> topological_order(const Pipeline& pipeline);

// `targets` (stage names; empty means every stage; the name of a foreach stage
// means all its NAME@ITEM stages) and all their upstream stages, in topological
// order. Error(kUsage) for an unknown name.
std::vector<size_t> stages_to_run(const Pipeline& pipeline, const std::vector<std::string>& targets);

}  // namespace tinymlops::pipeline

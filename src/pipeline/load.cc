// load_pipeline: pipeline.yaml -> expanded stages (foreach, ${...}) -> validation.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

#include "pipeline/graph.h"
#include "pipeline/template.h"
#include "pipeline/yaml_json.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/pipeline/params.h"
#include "tinymlops/pipeline/pipeline.h"

namespace tinymlops::pipeline {

namespace fs = std::filesystem;

namespace {

const char* const kSource = "pipeline.yaml";
const std::vector<std::string> kStageKeys = {"cmd", "deps", "params", "outs", "metrics", "plots", "wdir", "desc"};

// A stage with the places its entries came from, for validation errors.
struct LoadedStage {
  Stage stage;
  std::vector<std::string> dep_locations;
  std::vector<std::string> param_locations;
  std::vector<std::string> output_locations;  // parallel to stage.all_outputs()
};

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& n : names) text += (text.empty() ? "" : ", ") + n;
  return text;
}

std::string at(const YAML::Node& node) { return yaml_place(kSource, node.Mark()); }

// True when `inner` is `outer` or lies inside directory `outer` (both normalized).
bool path_within(const std::string& inner, const std::string& outer) {
  return inner == outer || (inner.size() > outer.size() && inner.compare(0, outer.size(), outer) == 0 &&
                            inner[outer.size()] == '/');
}

class Loader {
 public:
  explicit Loader(const fs::path& root) : root_(root) {
    if (fs::exists(root / "params.yaml")) vars_ = read_yaml_as_json(root / "params.yaml");
    if (!vars_.is_object()) vars_ = nlohmann::ordered_json::object();
  }

  std::vector<LoadedStage> load() {
    const std::string text = read_file(root_ / kSource);
    YAML::Node document;
    try {
      document = parse_yaml(text, kSource);
    } catch (const Error& e) {
      // "[out-${item}.txt]" is not YAML: { and } end a flow collection.
      const int line = std::atoi(e.location().c_str() + e.location().find(':') + 1);
      std::istringstream lines(text);
      std::string line_text;
      for (int l = 0; l < line && std::getline(lines, line_text); ++l) {
      }
      if (line_text.find("${") == std::string::npos) throw;
      throw Error(e.kind(), e.location(), e.message() + " (quote entries with ${...} inside [ ] or { })");
    }
    if (!document.IsMap()) throw Error(ErrorKind::kParse, at(document), "expected a mapping with 'stages:'");
    YAML::Node stages;
    for (const auto& entry : document) {
      if (entry.first.Scalar() != "stages") {
        throw Error(ErrorKind::kParse, at(entry.first), "unknown key '" + entry.first.Scalar() + "' (known: stages)");
      }
      stages = entry.second;
    }
    if (!stages.IsDefined() || stages.IsNull()) throw Error(ErrorKind::kParse, kSource, "no 'stages:'");
    if (!stages.IsMap()) throw Error(ErrorKind::kParse, at(stages), "'stages' must be a mapping of stage names");
    std::vector<LoadedStage> loaded;
    for (const auto& entry : stages) {
      const std::string name = entry.first.Scalar();
      check_name(name, at(entry.first));
      const YAML::Node& body = entry.second;
      if (!body.IsMap()) throw Error(ErrorKind::kParse, at(entry.first), "stage '" + name + "' must be a mapping");
      if (body["foreach"]) expand_foreach(name, entry.first, body, loaded);
      else loaded.push_back(parse_body(name, at(entry.first), body, vars_));
    }
    return loaded;
  }

 private:
  static void check_name(const std::string& name, const std::string& location) {
    const bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    });
    if (!ok) throw Error(ErrorKind::kParse, location, "stage name '" + name + "' may only use letters, digits, _ - .");
  }

  void expand_foreach(const std::string& name, const YAML::Node& key, const YAML::Node& body,
                      std::vector<LoadedStage>& loaded) {
    YAML::Node items_node;
    YAML::Node do_node;
    for (const auto& entry : body) {
      const std::string k = entry.first.Scalar();
      if (k == "foreach") items_node = entry.second;
      else if (k == "do") do_node = entry.second;
      else throw Error(ErrorKind::kParse, at(entry.first), "unknown key '" + k + "' next to foreach (known: foreach, do)");
    }
    if (!do_node || !do_node.IsMap()) {
      throw Error(ErrorKind::kParse, at(key), "stage '" + name + "' has foreach but no 'do:' mapping");
    }
    nlohmann::ordered_json items;
    bool whole = false;
    if (items_node.IsScalar()) items = resolve_whole(items_node.Scalar(), vars_, at(items_node), whole);
    else items = yaml_to_json(items_node);
    if (!(items.is_array() || items.is_object()) || items.empty()) {
      throw Error(ErrorKind::kInvalid, at(items_node), "foreach needs a non-empty list or mapping");
    }
    size_t index = 0;
    for (const auto& [item_key, item] : items.items()) {
      nlohmann::ordered_json vars = vars_;
      vars["item"] = item;
      std::string suffix;
      if (items.is_object()) {
        vars["key"] = item_key;
        suffix = item_key;
      } else {
        suffix = item.is_primitive() && !item.is_null() ? scalar_text(item, at(items_node), "item")
                                                        : std::to_string(index);
      }
      ++index;
      check_name(suffix, at(items_node));
      loaded.push_back(parse_body(name + "@" + suffix, at(key), do_node, vars));
    }
  }

  // Texts of a scalar or a list of scalars, rendered, with their locations.
  static std::vector<std::pair<std::string, std::string>> strings(const YAML::Node& node, const std::string& what,
                                                                  const nlohmann::ordered_json& vars) {
    std::vector<std::pair<std::string, std::string>> out;
    if (node.IsNull()) return out;
    if (node.IsScalar()) {
      out.emplace_back(render_template(node.Scalar(), vars, at(node)), at(node));
      return out;
    }
    if (!node.IsSequence()) throw Error(ErrorKind::kParse, at(node), "'" + what + "' must be a list of strings");
    for (const YAML::Node& item : node) {
      if (!item.IsScalar()) throw Error(ErrorKind::kParse, at(item), "'" + what + "' entries must be strings");
      out.emplace_back(render_template(item.Scalar(), vars, at(item)), at(item));
    }
    return out;
  }

  // `path` (relative to wdir) as a normalized project-relative path; outside the
  // project only when `may_be_outside` (then absolute).
  std::string normalize(const std::string& wdir, const std::string& path, const std::string& location,
                        bool may_be_outside) const {
    if (path.empty()) throw Error(ErrorKind::kInvalid, location, "empty path");
    fs::path joined = fs::path(path).is_absolute() ? fs::path(path) : fs::path(wdir) / path;
    joined = joined.lexically_normal();
    if (joined.is_absolute()) {
      const fs::path relative = joined.lexically_relative(fs::absolute(root_).lexically_normal());
      if (!relative.empty() && *relative.begin() != "..") joined = relative;
    }
    std::string text = joined.string();
    while (text.size() > 1 && text.back() == '/') text.pop_back();
    const bool outside = joined.is_absolute() || text == ".." || text.rfind("../", 0) == 0;
    if (outside && !may_be_outside) {
      throw Error(ErrorKind::kInvalid, location, "'" + path + "' is outside the project");
    }
    return text;
  }

  LoadedStage parse_body(const std::string& name, const std::string& location, const YAML::Node& body,
                         const nlohmann::ordered_json& vars) const {
    LoadedStage loaded;
    Stage& stage = loaded.stage;
    stage.name = name;
    stage.location = location;
    stage.wdir = ".";
    for (const auto& entry : body) {
      const std::string key = entry.first.Scalar();
      if (std::find(kStageKeys.begin(), kStageKeys.end(), key) == kStageKeys.end()) {
        throw Error(ErrorKind::kParse, at(entry.first),
                    "unknown key '" + key + "' in stage '" + name + "' (known: " + joined(kStageKeys) + ")");
      }
      if (key == "wdir") {
        if (!entry.second.IsScalar()) throw Error(ErrorKind::kParse, at(entry.second), "'wdir' must be a path");
        stage.wdir = normalize(".", render_template(entry.second.Scalar(), vars, at(entry.second)), at(entry.second), false);
      }
    }
    std::vector<std::pair<std::string, std::string>> outputs;
    for (const auto& entry : body) {
      const std::string key = entry.first.Scalar();
      const YAML::Node& value = entry.second;
      if (key == "cmd") {
        std::string cmd;
        for (const auto& [text, place] : strings(value, "cmd", vars)) cmd += (cmd.empty() ? "" : " && ") + text;
        stage.cmd = cmd;
      } else if (key == "deps") {
        for (const auto& [text, place] : strings(value, key, vars)) {
          stage.deps.push_back(normalize(stage.wdir, text, place, true));
          loaded.dep_locations.push_back(place);
        }
      } else if (key == "params") {
        parse_params(value, stage, loaded, vars);
      } else if (key == "outs" || key == "metrics" || key == "plots") {
        auto& list = key == "outs" ? stage.outs : key == "metrics" ? stage.metrics : stage.plots;
        for (const auto& [text, place] : strings(value, key, vars)) {
          list.push_back(normalize(stage.wdir, text, place, false));
          outputs.emplace_back(list.back(), place);
        }
      }
    }
    if (stage.cmd.empty()) throw Error(ErrorKind::kParse, location, "stage '" + name + "' has no 'cmd'");
    // all_outputs() order: outs, metrics, plots.
    for (const auto* list : {&stage.outs, &stage.metrics, &stage.plots}) {
      for (const std::string& path : *list) {
        auto it = std::find_if(outputs.begin(), outputs.end(), [&](const auto& o) { return o.first == path; });
        loaded.output_locations.push_back(it->second);
      }
    }
    return loaded;
  }

  void parse_params(const YAML::Node& value, Stage& stage, LoadedStage& loaded,
                    const nlohmann::ordered_json& vars) const {
    auto add = [&](const std::string& file, const std::string& key, const std::string& place) {
      stage.params.push_back({normalize(stage.wdir, file, place, false), key});
      loaded.param_locations.push_back(place);
    };
    if (!value.IsSequence()) throw Error(ErrorKind::kParse, at(value), "'params' must be a list of keys");
    for (const YAML::Node& item : value) {
      if (item.IsScalar()) {
        const std::string text = render_template(item.Scalar(), vars, at(item));
        const size_t colon = text.find(':');
        if (colon == std::string::npos) add("params.yaml", text, at(item));
        else add(text.substr(0, colon), text.substr(colon + 1), at(item));
      } else if (item.IsMap()) {  // {FILE: [key, ...]}
        for (const auto& entry : item) {
          for (const auto& [key, place] : strings(entry.second, "params", vars)) add(entry.first.Scalar(), key, place);
        }
      } else {
        throw Error(ErrorKind::kParse, at(item), "a 'params' entry is a key, FILE:key or {FILE: [keys]}");
      }
    }
  }

  fs::path root_;
  nlohmann::ordered_json vars_;
};

void check_unique_names(const std::vector<LoadedStage>& loaded) {
  std::map<std::string, std::string> seen;
  for (const LoadedStage& s : loaded) {
    auto [it, fresh] = seen.emplace(s.stage.name, s.stage.location);
    if (!fresh) throw Error(ErrorKind::kInvalid, s.stage.location, "stage '" + s.stage.name + "' is defined twice");
  }
}

void check_params(const fs::path& root, const std::vector<LoadedStage>& loaded) {
  std::map<std::string, nlohmann::ordered_json> files;
  for (const LoadedStage& s : loaded) {
    for (size_t i = 0; i < s.stage.params.size(); ++i) {
      const ParamRef& ref = s.stage.params[i];
      const std::string& place = s.param_locations[i];
      if (!files.count(ref.file)) {
        if (!fs::exists(root / ref.file)) {
          throw Error(ErrorKind::kInvalid, place, "params file '" + ref.file + "' does not exist");
        }
        files[ref.file] = read_yaml_as_json(root / ref.file);
      }
      if (ref.key.empty() || find_dotted(files[ref.file], ref.key) == nullptr) {
        throw Error(ErrorKind::kInvalid, place, "params key '" + ref.key + "' is not in " + ref.file);
      }
    }
  }
}

void check_outputs(const std::vector<LoadedStage>& loaded) {
  struct Output {
    std::string path, location;
    size_t stage;
  };
  std::vector<Output> outputs;
  for (size_t i = 0; i < loaded.size(); ++i) {
    const auto all = loaded[i].stage.all_outputs();
    for (size_t j = 0; j < all.size(); ++j) outputs.push_back({all[j], loaded[i].output_locations[j], i});
  }
  for (size_t b = 0; b < outputs.size(); ++b) {
    for (size_t a = 0; a < b; ++a) {
      const Output& first = outputs[a];
      const Output& second = outputs[b];
      if (!path_within(first.path, second.path) && !path_within(second.path, first.path)) continue;
      const std::string& owner = loaded[first.stage].stage.name;
      const std::string relation = first.path == second.path ? "is also an output of stage '" + owner + "'"
                                                             : "overlaps output '" + first.path + "' of stage '" + owner + "'";
      throw Error(ErrorKind::kInvalid, second.location, "output '" + second.path + "' of stage '" +
                                                            loaded[second.stage].stage.name + "' " + relation);
    }
  }
}

// Fills upstream edges; a dep that no stage produces must exist.
std::vector<std::vector<size_t>> link(const fs::path& root, const std::vector<LoadedStage>& loaded) {
  std::vector<std::vector<size_t>> upstream(loaded.size());
  for (size_t i = 0; i < loaded.size(); ++i) {
    const Stage& stage = loaded[i].stage;
    for (size_t d = 0; d < stage.deps.size(); ++d) {
      const std::string& dep = stage.deps[d];
      bool produced = false;
      for (size_t p = 0; p < loaded.size(); ++p) {
        for (const std::string& out : loaded[p].stage.all_outputs()) {
          if (path_within(dep, out) || path_within(out, dep)) {
            produced = true;
            upstream[i].push_back(p);
          }
        }
      }
      if (!produced && !fs::exists(fs::path(dep).is_absolute() ? fs::path(dep) : root / dep)) {
        throw Error(ErrorKind::kInvalid, loaded[i].dep_locations[d],
                    "dep '" + dep + "' of stage '" + stage.name + "' does not exist and no stage produces it");
      }
    }
    std::sort(upstream[i].begin(), upstream[i].end());
    upstream[i].erase(std::unique(upstream[i].begin(), upstream[i].end()), upstream[i].end());
  }
  return upstream;
}

}  // namespace

std::vector<std::string> Stage::all_outputs() const {
  std::vector<std::string> all = outs;
  all.insert(all.end(), metrics.begin(), metrics.end());
  all.insert(all.end(), plots.begin(), plots.end());
  return all;
}

size_t Pipeline::index_of(const std::string& name) const {
  std::vector<std::string> names;
  for (size_t i = 0; i < stages.size(); ++i) {
    if (stages[i].name == name) return i;
    names.push_back(stages[i].name);
  }
  throw Error(ErrorKind::kUsage, "pipeline.yaml", "no stage '" + name + "' (stages: " + joined(names) + ")");
}

fs::path find_project_root(const fs::path& start) {
  fs::path absolute = fs::absolute(start).lexically_normal();
  if (absolute.filename().empty()) absolute = absolute.parent_path();
  for (fs::path dir = absolute;; dir = dir.parent_path()) {
    if (fs::exists(dir / kSource)) return dir;
    if (dir == dir.parent_path()) break;
  }
  throw Error(ErrorKind::kIo, start.string(), "no pipeline.yaml here or in any parent directory");
}

Pipeline load_pipeline(const fs::path& root) {
  if (!fs::exists(root / kSource)) {
    throw Error(ErrorKind::kIo, (root / kSource).string(), "no pipeline.yaml in this project");
  }
  std::vector<LoadedStage> loaded = Loader(root).load();
  check_unique_names(loaded);
  check_params(root, loaded);
  check_outputs(loaded);
  Pipeline pipeline;
  pipeline.root = root;
  pipeline.upstream = link(root, loaded);
  for (LoadedStage& s : loaded) pipeline.stages.push_back(std::move(s.stage));
  const std::vector<size_t> cycle = find_cycle(pipeline.upstream);
  if (!cycle.empty()) {
    std::vector<std::string> names;
    for (size_t i : cycle) names.push_back(pipeline.stages[i].name);
    std::string text;
    for (const std::string& n : names) text += (text.empty() ? "" : " -> ") + n;
    throw Error(ErrorKind::kInvalid, pipeline.stages[cycle.front()].location, "the stages form a cycle: " + text);
  }
  return pipeline;
}

}  // namespace tinymlops::pipeline

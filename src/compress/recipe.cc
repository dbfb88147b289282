#include "tinymlops/compress/recipe.h"

#include <yaml-cpp/yaml.h>

#include "tinymlops/compress/prune.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/core/yaml_place.h"
#include "tinymlops/core/hash.h"
#include "tinymlops/nn/model_file.h"

namespace tinymlops {

namespace {

template <typename T>
T scalar(const YAML::Node& node, const std::string& where, const std::string& key) {
  try {
    return node.as<T>();
  } catch (const YAML::Exception&) {
    throw Error(ErrorKind::kParse, where, "bad value for '" + key + "'");
  }
}

void set_prune(PruneConfig& c, const std::string& key, const YAML::Node& v, const std::string& where) {
  if (key == "sparsity") {
    c.sparsity = scalar<double>(v, where, key);
    if (!(c.sparsity >= 0 && c.sparsity < 1)) throw Error(ErrorKind::kInvalid, where, "sparsity must be in [0, 1)");
  } else if (key == "structured") {
    c.structured = scalar<bool>(v, where, key);
  } else if (key == "norm") {
    try {
      c.norm = parse_unit_norm(scalar<std::string>(v, where, key), where);
    } catch (const Error& e) {
      throw Error(ErrorKind::kInvalid, where, e.message());
    }
  } else if (key == "per_layer") {
    c.global = !scalar<bool>(v, where, key);
  } else if (key == "schedule") {
    try {
      c.gradual = parse_gradual_schedule(scalar<std::string>(v, where, key), where);
    } catch (const Error& e) {
      throw Error(ErrorKind::kInvalid, where, e.message());
    }
  } else if (key == "epochs") {
    c.epochs = scalar<int>(v, where, key);
    if (c.epochs < 0) throw Error(ErrorKind::kInvalid, where, "epochs must not be negative");
  } else if (key == "lr") {
    c.learning_rate = scalar<float>(v, where, key);
  } else {
    throw Error(ErrorKind::kInvalid, where,
                "unknown prune key '" + key + "' (known: sparsity, structured, norm, per_layer, schedule, epochs, lr)");
  }
}

void set_cluster(ClusterConfig& c, const std::string& key, const YAML::Node& v, const std::string& where) {
  if (key == "clusters") {
    c.clusters = scalar<int>(v, where, key);
    if (c.clusters < 2 || c.clusters > 16) throw Error(ErrorKind::kInvalid, where, "clusters must be 2 to 16");
  } else if (key == "epochs") {
    c.epochs = scalar<int>(v, where, key);
    if (c.epochs < 0) throw Error(ErrorKind::kInvalid, where, "epochs must not be negative");
  } else if (key == "lr") {
    c.learning_rate = scalar<float>(v, where, key);
  } else {
    throw Error(ErrorKind::kInvalid, where, "unknown cluster key '" + key + "' (known: clusters, epochs, lr)");
  }
}

void set_quantize(QuantizeConfig& c, const std::string& key, const YAML::Node& v, const std::string& where) {
  if (key == "method") {
    c.method = scalar<std::string>(v, where, key);
    if (c.method != "ptq" && c.method != "qat" && c.method != "fp16" && c.method != "dynamic") {
      throw Error(ErrorKind::kInvalid, where, "method is ptq, qat, fp16 or dynamic");
    }
  } else if (key == "bits") {
    c.bits = scalar<int>(v, where, key);
    if (c.bits != 4 && c.bits != 8 && c.bits != 16) {
      throw Error(ErrorKind::kInvalid, where, std::to_string(c.bits) + " bits is not supported (supported: 4, 8, 16)");
    }
  } else if (key == "activations") {
    try {
      c.activation_bits = parse_activation_bits(scalar<std::string>(v, where, key));
    } catch (const Error& e) {
      throw Error(ErrorKind::kInvalid, where, e.message());
    }
  } else if (key == "calibration") {
    try {
      c.ptq.calibration = parse_calibration(scalar<std::string>(v, where, key));
    } catch (const Error& e) {
      throw Error(ErrorKind::kInvalid, where, e.message());
    }
  } else if (key == "per_channel") {
    c.ptq.per_channel = scalar<bool>(v, where, key);
  } else if (key == "calibration_samples") {
    c.calibration_samples = scalar<int>(v, where, key);
    if (c.calibration_samples < 1) throw Error(ErrorKind::kInvalid, where, "calibration_samples must be at least 1");
  } else if (key == "epochs") {
    c.epochs = scalar<int>(v, where, key);
    if (c.epochs < 1) throw Error(ErrorKind::kInvalid, where, "epochs must be at least 1");
  } else if (key == "lr") {
    c.learning_rate = scalar<float>(v, where, key);
  } else {
    throw Error(ErrorKind::kInvalid, where,
                "unknown quantize key '" + key +
                    "' (known: method, bits, activations, calibration, per_channel, calibration_samples, epochs, lr)");
  }
}

}  // namespace

std::vector<RecipeStep> load_recipe(const std::filesystem::path& path) {
  const std::string source = path.string();
  YAML::Node root;
  try {
    root = YAML::Load(read_file(path));
  } catch (const YAML::Exception& e) {
    throw Error(ErrorKind::kParse, yaml_place(source, e.mark), e.msg);
  }
  if (!root.IsMap() || !root["steps"]) throw Error(ErrorKind::kParse, source, "expected 'steps:' with a list of steps");
  for (const auto& entry : root) {
    if (entry.first.Scalar() != "steps") {
      throw Error(ErrorKind::kInvalid, yaml_place(source, entry.first.Mark()),
                  "unknown key '" + entry.first.Scalar() + "' (a recipe has only 'steps')");
    }
  }
  const YAML::Node steps = root["steps"];
  if (!steps.IsSequence() || steps.size() == 0) {
    throw Error(ErrorKind::kParse, yaml_place(source, steps.Mark()), "'steps' must be a non-empty list");
  }
  std::vector<RecipeStep> recipe;
  for (const YAML::Node& step : steps) {
    const std::string where = yaml_place(source, step.Mark());
    if (!step.IsMap() || step.size() != 1) {
      throw Error(ErrorKind::kParse, where, "each step is one of 'prune: {...}', 'cluster: {...}' or 'quantize: {...}'");
    }
    const auto entry = *step.begin();
    RecipeStep parsed;
    parsed.kind = entry.first.Scalar();
    parsed.where = where;
    if (parsed.kind != "prune" && parsed.kind != "cluster" && parsed.kind != "quantize") {
      throw Error(ErrorKind::kInvalid, where, "unknown step '" + parsed.kind + "' (known: prune, cluster, quantize)");
    }
    if (!recipe.empty() && recipe.back().kind == "quantize") {
      throw Error(ErrorKind::kInvalid, where, "quantize must be the last step");
    }
    const YAML::Node& settings = entry.second;
    if (!settings.IsNull() && !settings.IsMap()) throw Error(ErrorKind::kParse, where, "step settings must be a mapping");
    if (settings.IsMap()) {
      for (const auto& setting : settings) {
        const std::string at = yaml_place(source, setting.first.Mark());
        if (parsed.kind == "prune") set_prune(parsed.prune, setting.first.Scalar(), setting.second, at);
        else if (parsed.kind == "cluster") set_cluster(parsed.cluster, setting.first.Scalar(), setting.second, at);
        else set_quantize(parsed.quantize, setting.first.Scalar(), setting.second, at);
      }
    }
    if (parsed.kind == "prune" && parsed.prune.structured && parsed.prune.gradual) {
      throw Error(ErrorKind::kInvalid, where, "gradual applies to unstructured pruning only");
    }
    recipe.push_back(parsed);
  }
  return recipe;
}

RecipeReport run_recipe(const RecipeConfig& config, Progress& progress) {
  const std::vector<RecipeStep> steps = load_recipe(config.recipe);
  Model model = load_model(config.model);
  std::string source_sha = sha256_file_hex(config.model);
  RecipeReport report;
  std::string bytes;
  for (const RecipeStep& step : steps) {
    progress.message(step.where + ": " + step.kind);
    RecipeStepReport& done = report.steps.emplace_back();
    done.kind = step.kind;
    if (step.kind == "prune") {
      PruneConfig c = step.prune;
      c.data = config.data, c.label = config.label, c.drop_bad_rows = config.drop_bad_rows;
      PruneResult result = prune_trained(std::move(model), source_sha, c, progress);
      model = std::move(result.model);
      done.prune = std::move(result.report);
      bytes = serialize_model(model);
      source_sha = to_hex(sha256(bytes));
    } else if (step.kind == "cluster") {
      ClusterConfig c = step.cluster;
      c.data = config.data, c.label = config.label, c.drop_bad_rows = config.drop_bad_rows;
      ClusterResult result = cluster_trained(std::move(model), source_sha, c, progress);
      model = std::move(result.model);
      done.cluster = std::move(result.report);
      bytes = serialize_model(model);
      source_sha = to_hex(sha256(bytes));
    } else {
      QuantizeConfig c = step.quantize;
      c.data = config.data, c.label = config.label, c.drop_bad_rows = config.drop_bad_rows;
      QuantizeResult result = quantize_trained(model, source_sha, c, progress);
      done.quantize = std::move(result.report);
      result.model.metadata.provenance["recipe"] = sha256_file_hex(config.recipe);
      bytes = serialize_deploy_model(result.model);
    }
  }
  if (!config.out.empty()) {
    write_file_atomic(config.out, bytes);
    report.model = config.out;
    report.file_bytes = bytes.size();
  }
  return report;
}

nlohmann::ordered_json to_json(const RecipeReport& report) {
  nlohmann::ordered_json steps = nlohmann::ordered_json::array();
  for (const RecipeStepReport& step : report.steps) {
    if (step.kind == "prune") steps.push_back({{"prune", to_json(step.prune)}});
    else if (step.kind == "cluster") steps.push_back({{"cluster", to_json(step.cluster)}});
    else steps.push_back({{"quantize", to_json(step.quantize)}});
  }
  nlohmann::ordered_json j = {{"steps", steps}};
  if (!report.model.empty()) {
    j["model"] = report.model;
    j["file_bytes"] = report.file_bytes;
  }
  return j;
}

}  // namespace tinymlops

#include "tinymlops/store/config.h"

#include <yaml-cpp/yaml.h>

#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/core/yaml_place.h"

namespace tinymlops::store {

namespace {

std::string scalar(const YAML::Node& node, const std::string& source, const std::string& what) {
  if (!node.IsScalar()) throw Error(ErrorKind::kParse, yaml_place(source, node.Mark()), what + " must be a string");
  return node.Scalar();
}

bool is_postgres_url(const std::string& text) {
  return text.rfind("postgresql://", 0) == 0 || text.rfind("postgres://", 0) == 0;
}

}  // namespace

ProjectConfig read_project_config(const std::filesystem::path& file) {
  const std::string source = file.string();
  YAML::Node root;
  try {
    root = YAML::Load(read_file(file));
  } catch (const YAML::Exception& e) {
    throw Error(ErrorKind::kParse, yaml_place(source, e.mark), e.msg);
  }
  ProjectConfig config;
  if (root.IsNull()) return config;
  if (!root.IsMap()) throw Error(ErrorKind::kParse, yaml_place(source, root.Mark()), "expected a mapping (key: value)");
  YAML::Mark default_remote_mark;
  for (const auto& entry : root) {
    const std::string key = entry.first.Scalar();
    const YAML::Node& value = entry.second;
    const std::string where = yaml_place(source, entry.first.Mark());
    if (key == "remotes") {
      if (value.IsNull()) continue;
      if (!value.IsMap()) throw Error(ErrorKind::kParse, yaml_place(source, value.Mark()), "'remotes' must map names to locations");
      for (const auto& remote : value) {
        const std::string name = scalar(remote.first, source, "a remote name");
        const std::string location = scalar(remote.second, source, "remote '" + name + "'");
        if (location.empty()) throw Error(ErrorKind::kInvalid, yaml_place(source, remote.second.Mark()), "remote '" + name + "' has an empty location");
        config.remotes[name] = location;
      }
    } else if (key == "default_remote") {
      config.default_remote = value.IsNull() ? "" : scalar(value, source, "'default_remote'");
      default_remote_mark = value.Mark();
    } else if (key == "tracking") {
      config.tracking = scalar(value, source, "'tracking'");
      if (config.tracking != "sqlite" && !is_postgres_url(config.tracking)) {
        throw Error(ErrorKind::kInvalid, yaml_place(source, value.Mark()),
                    "'tracking' must be sqlite or a postgresql:// URL, not '" + config.tracking + "'");
      }
    } else if (key == "gates") {
      if (value.IsNull()) continue;
      if (!value.IsSequence()) throw Error(ErrorKind::kParse, yaml_place(source, value.Mark()), "'gates' must be a list of expressions");
      for (const YAML::Node& gate : value) config.gates.push_back(scalar(gate, source, "a gate"));
    } else {
      throw Error(ErrorKind::kInvalid, where,
                  "unknown key '" + key + "' (known: remotes, default_remote, tracking, gates)");
    }
  }
  if (!config.default_remote.empty() && !config.remotes.count(config.default_remote)) {
    throw Error(ErrorKind::kInvalid, yaml_place(source, default_remote_mark),
                "default_remote '" + config.default_remote + "' is not one of the remotes");
  }
  return config;
}

std::string default_project_config_text() {
  return "# tinymlops project configuration (docs/store.md)\n"
         "remotes: {}             # name -> location; a directory path, e.g. origin: /mnt/share/tinymlops-remote\n"
         "default_remote: \"\"      # the remote push and pull use without --remote\n"
         "tracking: sqlite        # or a PostgreSQL URL: postgresql://user@/db?host=/tmp/pgsock\n"
         "gates: []               # model promote --to production checks these, e.g. - accuracy >= 0.90\n";
}

}  // namespace tinymlops::store

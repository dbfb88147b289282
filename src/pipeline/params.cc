#include "tinymlops/pipeline/params.h"

#include <map>

#include "pipeline/yaml_json.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"

namespace tinymlops::pipeline {

namespace {

// The node at dotted `key` inside maps, or an invalid node.
YAML::Node find_node(YAML::Node node, const std::string& key) {
  size_t start = 0;
  while (true) {
    const size_t dot = key.find('.', start);
    const std::string part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    YAML::Node child;
    bool found = false;
    for (auto entry : node) {
      if (entry.first.Scalar() == part) {
        child = entry.second;
        found = true;
        break;
      }
    }
    if (!found) return YAML::Node(YAML::NodeType::Undefined);
    if (dot == std::string::npos) return child;
    node = child;
    start = dot + 1;
  }
}

// Length of the scalar's source text at `pos` (a quoted or plain one-line scalar),
// or npos when it cannot be located exactly.
size_t scalar_extent(const std::string& text, size_t pos, const YAML::Node& scalar) {
  if (pos >= text.size()) return std::string::npos;
  const char quote = text[pos];
  if (quote == '"' || quote == '\'') {
    for (size_t i = pos + 1; i < text.size(); ++i) {
      if (text[i] == '\n') return std::string::npos;
      if (quote == '"' && text[i] == '\\') {
        ++i;
        continue;
      }
      if (text[i] == quote) {
        if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
          ++i;
          continue;
        }
        return i + 1 - pos;
      }
    }
    return std::string::npos;
  }
  const std::string& plain = scalar.Scalar();
  if (plain.empty() || plain.find('\n') != std::string::npos) return std::string::npos;
  if (text.compare(pos, plain.size(), plain) != 0) return std::string::npos;
  return plain.size();
}

std::string trim(const std::string& s) {
  const size_t begin = s.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return s.substr(begin, s.find_last_not_of(" \t") - begin + 1);
}

}  // namespace

nlohmann::ordered_json read_yaml_as_json(const std::filesystem::path& file) {
  const std::string text = read_file(file);
  return yaml_to_json(parse_yaml(text, file.string()));
}

const nlohmann::ordered_json* find_dotted(const nlohmann::ordered_json& document, const std::string& key) {
  const nlohmann::ordered_json* node = &document;
  size_t start = 0;
  while (true) {
    const size_t dot = key.find('.', start);
    const std::string part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object()) return nullptr;
    auto it = node->find(part);
    if (it == node->end()) return nullptr;
    node = &*it;
    if (dot == std::string::npos) return node;
    start = dot + 1;
  }
}

namespace {

void flatten_into(const nlohmann::ordered_json& value, const std::string& prefix, nlohmann::ordered_json& out) {
  if (value.is_object() && !value.empty()) {
    for (const auto& [key, item] : value.items()) flatten_into(item, prefix.empty() ? key : prefix + "." + key, out);
  } else if (value.is_array() && !value.empty() && !prefix.empty()) {
    for (size_t i = 0; i < value.size(); ++i) flatten_into(value[i], prefix + "." + std::to_string(i), out);
  } else if (!prefix.empty()) {
    out[prefix] = value;
  }
}

}  // namespace

nlohmann::ordered_json flatten(const nlohmann::ordered_json& value) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  flatten_into(value, "", out);
  return out;
}

void apply_param_overrides(const std::filesystem::path& root, const std::vector<std::string>& overrides) {
  std::map<std::string, std::string> texts;  // file -> edited text
  for (const std::string& override_text : overrides) {
    const std::string where_override = "-S " + override_text;
    const size_t equals = override_text.find('=');
    if (equals == std::string::npos || equals == 0) {
      throw Error(ErrorKind::kUsage, where_override, "expected key=value (e.g. train.epochs=20)");
    }
    std::string key = trim(override_text.substr(0, equals));
    const std::string value_text = trim(override_text.substr(equals + 1));
    std::string file = "params.yaml";
    if (const size_t colon = key.find(':'); colon != std::string::npos) {
      file = key.substr(0, colon);
      key = key.substr(colon + 1);
    }
    YAML::Node value_node = parse_yaml(value_text, where_override);
    if (!value_node.IsScalar() || value_text.empty() || value_text.find('#') != std::string::npos) {
      throw Error(ErrorKind::kUsage, where_override, "the value must be a single YAML scalar (number, word, true/false)");
    }
    if (!texts.count(file)) texts[file] = read_file(root / file);
    std::string& text = texts[file];
    YAML::Node document = parse_yaml(text, file);
    YAML::Node target = find_node(document, key);
    if (!target.IsDefined()) {
      throw Error(ErrorKind::kUsage, where_override, "no key '" + key + "' in " + file);
    }
    const size_t pos = static_cast<size_t>(target.Mark().pos);
    const size_t length = target.IsScalar() ? scalar_extent(text, pos, target) : std::string::npos;
    if (length == std::string::npos) {
      throw Error(ErrorKind::kUsage, yaml_place(file, target.Mark()),
                  "'" + key + "' does not hold a one-line value that -S can replace");
    }
    std::string edited = text.substr(0, pos) + value_text + text.substr(pos + length);
    YAML::Node check = find_node(parse_yaml(edited, file), key);
    if (!check.IsDefined() || yaml_to_json(check) != scalar_to_json(value_node)) {
      throw Error(ErrorKind::kUsage, where_override, "the value does not fit in place in " + file);
    }
    text = std::move(edited);
  }
  for (const auto& [file, text] : texts) write_file_atomic(root / file, text);
}

}  // namespace tinymlops::pipeline

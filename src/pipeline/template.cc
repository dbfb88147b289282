#include "pipeline/template.h"

#include "pipeline/yaml_json.h"
#include "tinymlops/core/error.h"
#include "tinymlops/pipeline/params.h"

namespace tinymlops::pipeline {

namespace {

const nlohmann::ordered_json& lookup(const std::string& raw_name, const nlohmann::ordered_json& vars,
                                     const std::string& location) {
  std::string name = raw_name;
  name.erase(0, name.find_first_not_of(' '));
  name.erase(name.find_last_not_of(' ') + 1);
  const nlohmann::ordered_json* value = name.empty() ? nullptr : find_dotted(vars, name);
  if (value == nullptr) {
    throw Error(ErrorKind::kInvalid, location, "undefined variable '${" + raw_name + "}' (not in params.yaml" +
                                                   std::string(vars.contains("item") ? " nor the foreach item)" : ")"));
  }
  return *value;
}

}  // namespace

std::string render_template(const std::string& text, const nlohmann::ordered_json& vars, const std::string& location) {
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t open = text.find("${", pos);
    if (open == std::string::npos) break;
    const size_t close = text.find('}', open + 2);
    if (close == std::string::npos) throw Error(ErrorKind::kInvalid, location, "unterminated '${' in '" + text + "'");
    out += text.substr(pos, open - pos);
    const std::string name = text.substr(open + 2, close - open - 2);
    out += scalar_text(lookup(name, vars, location), location, "'${" + name + "}'");
    pos = close + 1;
  }
  return out + text.substr(pos);
}

nlohmann::ordered_json resolve_whole(const std::string& text, const nlohmann::ordered_json& vars,
                                     const std::string& location, bool& matched) {
  matched = text.size() > 3 && text.rfind("${", 0) == 0 && text.back() == '}' &&
            text.find('}') == text.size() - 1;
  if (!matched) return nullptr;
  return lookup(text.substr(2, text.size() - 3), vars, location);
}

}  // namespace tinymlops::pipeline

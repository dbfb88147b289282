// ${...} templating of pipeline.yaml strings (internal to src/pipeline).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace tinymlops::pipeline {

// Replaces every ${name} in `text` (name: a dotted path into `vars`, e.g.
// "train.epochs", "item", "item.lr") by the value's text. Error(kInvalid) at
// `location` for an undefined name, an unterminated ${, or a list/mapping value.
std::string render_template(const std::string& text, const nlohmann::ordered_json& vars, const std::string& location);

// When `text` is exactly "${name}", the value itself (any type); else nullopt-like null
// with `matched` false. Error as above for an undefined name.
nlohmann::ordered_json resolve_whole(const std::string& text, const nlohmann::ordered_json& vars,
                                     const std::string& location, bool& matched);

}  // namespace tinymlops::pipeline

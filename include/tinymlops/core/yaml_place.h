// The place of a YAML node for error messages, shared by every YAML reader
// (train configs, recipes, tinymlops.yaml, pointer files, pipeline.yaml).
#pragma once

#include <yaml-cpp/mark.h>

#include <string>

namespace tinymlops {

// "SOURCE:LINE:COLUMN" (1-based) of `mark`; SOURCE alone when the mark is unknown.
inline std::string yaml_place(const std::string& source, const YAML::Mark& mark) {
  if (mark.is_null()) return source;
  return source + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

}  // namespace tinymlops

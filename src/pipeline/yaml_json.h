// YAML <-> JSON helpers shared by the pipeline files (internal to src/pipeline).
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tinymlops/core/yaml_place.h"

namespace tinymlops::pipeline {


// Parses `text`; Error(kParse) naming "SOURCE:LINE:COL" on malformed YAML.
YAML::Node parse_yaml(const std::string& text, const std::string& source);

// A plain scalar's typed value under the YAML 1.2 core schema (null, bool, int,
// float, else string); a quoted scalar is always a string.
nlohmann::ordered_json scalar_to_json(const YAML::Node& scalar);

// Maps to objects (keys in file order), sequences to arrays, scalars as above.
nlohmann::ordered_json yaml_to_json(const YAML::Node& node);

// Writes `value` so that yaml_to_json of the result gives it back: strings
// double-quoted, floats in their shortest round-trip form with a '.' or 'e'.
void emit_json(YAML::Emitter& out, const nlohmann::ordered_json& value);

// A number's shortest text that reads back to the same double ("0.1", "3.0", "1e-05").
std::string format_double(double value);

// A scalar JSON value as it appears inside a command ("0.1", "adam", "true");
// Error(kInvalid) at `location` for objects and arrays.
std::string scalar_text(const nlohmann::ordered_json& value, const std::string& location, const std::string& what);

}  // namespace tinymlops::pipeline

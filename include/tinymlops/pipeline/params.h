// Parameter files (params.yaml): dotted-key lookup, flattening and overrides.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tinymlops::pipeline {

// A YAML file's content as JSON: plain scalars become integers, floats, booleans
// or null when they read as such (YAML 1.2 core schema), quoted ones stay
// strings. Throws Error(kParse) naming "FILE:LINE:COL" for malformed YAML and
// Error(kIo) when the file cannot be read.
nlohmann::ordered_json read_yaml_as_json(const std::filesystem::path& file);

// The value at dotted `key` ("train.epochs") in `document`, or nullptr when absent.
const nlohmann::ordered_json* find_dotted(const nlohmann::ordered_json& document, const std::string& key);

// Nested objects (and arrays, by index) flattened to dotted keys:
// {"a": {"b": 1}, "c": [2, 3]} -> {"a.b": 1, "c.0": 2, "c.1": 3}.
nlohmann::ordered_json flatten(const nlohmann::ordered_json& value);

// Applies overrides "key=value" or "FILE:key=value" (FILE relative to `root`,
// default params.yaml). The value is a YAML scalar ("0.01", "true", "adam").
// The key must exist and hold a one-line scalar; the file's other text,
// comments included, is kept byte for byte; the file is written atomically.
// Error(kUsage) naming the override when it is malformed or the key is missing.
void apply_param_overrides(const std::filesystem::path& root, const std::vector<std::string>& overrides);

}  // namespace tinymlops::pipeline

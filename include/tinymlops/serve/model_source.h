// Where the inference server gets its model, and how it notices a new one: a
// model file (its bytes changed) or a registry alias (it points at another
// version). The server polls its source about once a second (hot reload).
//
// Example:
//
//   auto source = serve::registry_model_source(".", "digits", "production");
//   std::optional<serve::ModelSnapshot> first = source->poll("");   // the current model
//   ...
//   if (auto next = source->poll(first->sha256)) swap_in(*next);     // the alias moved
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace tinymlops::serve {

// One version of the model, as bytes (a .tmlm or .tdm file's content).
struct ModelSnapshot {
  std::string bytes;
  std::string sha256;   // hex, of `bytes`
  std::string origin;   // for messages and errors: the path, or "NAME@VERSION"
  int64_t version = 0;  // registry version; 0 for a plain file
};

class ModelSource {
 public:
  virtual ~ModelSource() = default;
  // The current model when its sha256 differs from `known_sha256` ("" for the first
  // call), else nullopt. Cheap when nothing changed (a stat, or one registry query).
  // Throws Error naming the file or reference when the model cannot be read.
  // Used by one thread at a time.
  virtual std::optional<ModelSnapshot> poll(const std::string& known_sha256) = 0;
  // "model.tmlm" or "NAME:ALIAS", for messages and the model_info metric.
  virtual std::string describe() const = 0;
};

// The file at `path`. A change of its size, modification time or inode triggers a
// rehash; the same bytes again are not a new model. A file being rewritten in place
// may be read half-written: its load then fails and the next change is tried again
// (write it atomically, or rename a finished file over it, to avoid the failure).
std::unique_ptr<ModelSource> file_model_source(const std::filesystem::path& path);

// The version `alias` of model `name` points at in the registry of the project at
// `project_root` (its tinymlops.yaml decides SQLite or PostgreSQL). The bytes come
// from the project's object cache and are checked against the registered sha256.
// Throws Error(kInvalid) naming "NAME:ALIAS" when the alias is not set.
std::unique_ptr<ModelSource> registry_model_source(const std::filesystem::path& project_root, const std::string& name,
                                                   const std::string& alias);

// A model of the registry as `serve --registry` names it: "NAME" or "NAME:ALIAS",
// the alias "production" when none is given; everything after the first ':' is
// the alias.
struct RegistryReference {
  std::string name;
  std::string alias;
};
// Throws Error(kUsage) naming the part when the name or the alias is not a
// registry name (track::check_registry_name), the name first.
RegistryReference parse_registry_reference(const std::string& text);

// registry_model_source for a reference as parse_registry_reference reads it.
// The project is opened first, so outside a project that is the error, then
// the reference is parsed.
std::unique_ptr<ModelSource> registry_model_source(const std::filesystem::path& project_root,
                                                   const std::string& reference);

}  // namespace tinymlops::serve

#include "tinymlops/store/pointer.h"

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/core/yaml_place.h"

namespace tinymlops::store {

namespace {

uint64_t unsigned_value(const YAML::Node& node, const std::string& where, const std::string& key) {
  try {
    if (node.IsScalar() && !node.Scalar().empty() && node.Scalar()[0] != '-') return node.as<uint64_t>();
  } catch (const YAML::Exception&) {
  }
  throw Error(ErrorKind::kParse, where, "'" + key + "' must be a whole number >= 0");
}

}  // namespace

std::string format_pointer(const Pointer& p) {
  std::string text = "# tinymlops pointer: commit this file; the content is in the cache (docs/store.md)\n";
  text += "version: 1\n";
  text += std::string("kind: ") + object_kind_name(p.id.kind) + "\n";
  text += "hash: " + p.id.hash + "\n";
  text += "size: " + std::to_string(p.size) + "\n";
  if (p.id.kind == ObjectKind::kDirectory) text += "files: " + std::to_string(p.files) + "\n";
  text += "path: " + nlohmann::json(p.path).dump() + "\n";
  return text;
}

Pointer read_pointer(const std::filesystem::path& pointer_file) {
  const std::string source = pointer_file.string();
  YAML::Node root;
  try {
    root = YAML::Load(read_file(pointer_file));
  } catch (const YAML::Exception& e) {
    throw Error(ErrorKind::kParse, yaml_place(source, e.mark), "not a pointer file: " + e.msg);
  }
  if (!root.IsMap()) throw Error(ErrorKind::kParse, yaml_place(source, root.Mark()), "not a pointer file: expected key: value lines");
  Pointer p;
  bool has_version = false, has_kind = false, has_hash = false, has_size = false, has_path = false, has_files = false;
  YAML::Mark files_mark;
  for (const auto& entry : root) {
    const std::string key = entry.first.Scalar();
    const YAML::Node& value = entry.second;
    const std::string where = yaml_place(source, value.Mark());
    if (!value.IsScalar()) throw Error(ErrorKind::kParse, where, "'" + key + "' must be a single value");
    const std::string text = value.Scalar();
    if (key == "version") {
      has_version = true;
      if (text != "1") throw Error(ErrorKind::kFormat, where, "pointer version " + text + " is not supported (this tinymlops reads 1)");
    } else if (key == "kind") {
      has_kind = true;
      if (text == "file") p.id.kind = ObjectKind::kFile;
      else if (text == "directory") p.id.kind = ObjectKind::kDirectory;
      else throw Error(ErrorKind::kParse, where, "kind must be file or directory, not '" + text + "'");
    } else if (key == "hash") {
      has_hash = true;
      if (!is_sha256_hex(text)) throw Error(ErrorKind::kParse, where, "hash must be 64 lower-case hex digits");
      p.id.hash = text;
    } else if (key == "size") {
      has_size = true;
      p.size = unsigned_value(value, where, key);
    } else if (key == "files") {
      has_files = true;
      files_mark = value.Mark();
      p.files = unsigned_value(value, where, key);
    } else if (key == "path") {
      has_path = true;
      p.path = text;
      if (text.empty() || text == "." || text == ".." || text.find('/') != std::string::npos) {
        throw Error(ErrorKind::kParse, where, "path must be the name of a file or directory beside the pointer");
      }
    } else {
      throw Error(ErrorKind::kParse, yaml_place(source, entry.first.Mark()),
                  "unknown key '" + key + "' (a pointer has version, kind, hash, size, files, path)");
    }
  }
  const char* missing = !has_version ? "version" : !has_kind ? "kind" : !has_hash ? "hash" : !has_size ? "size"
                        : !has_path  ? "path" : nullptr;
  if (missing) throw Error(ErrorKind::kParse, source, std::string("not a complete pointer file: '") + missing + "' is missing");
  if (has_files && p.id.kind == ObjectKind::kFile) {
    throw Error(ErrorKind::kParse, yaml_place(source, files_mark), "'files' belongs to directory pointers only");
  }
  return p;
}

std::filesystem::path pointer_file_for(const std::filesystem::path& target) {
  std::filesystem::path clean = target.lexically_normal();
  if (!clean.has_filename() && clean.has_parent_path()) clean = clean.parent_path();
  return clean.parent_path() / (clean.filename().string() + kPointerSuffix);
}

bool is_pointer_file(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  return name.size() > std::string(kPointerSuffix).size() && name.ends_with(kPointerSuffix);
}

std::filesystem::path target_of(const std::filesystem::path& pointer_file, const Pointer& pointer) {
  return pointer_file.parent_path() / pointer.path;
}

}  // namespace tinymlops::store

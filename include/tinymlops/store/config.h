// The project configuration file, tinymlops.yaml, at the root of a project.
//
//   # tinymlops project configuration
//   remotes:                 # name -> location; a plain directory path for now
//     origin: /mnt/share/tinymlops-remote
//   default_remote: origin
//   tracking: sqlite         # or a PostgreSQL URL: postgresql://user@/db?host=/tmp/pgsock
//   gates:                   # model promote --to production checks these, in order
//     - accuracy >= 0.90
//     - flash_bytes <= 65536
//
// Every key is optional. A relative remote directory is relative to the project root.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace tinymlops::store {

struct ProjectConfig {
  std::map<std::string, std::string> remotes;
  std::string default_remote;            // "" when none
  std::string tracking = "sqlite";       // "sqlite" or a postgresql:// URL
  std::vector<std::string> gates;        // raw gate expressions; track parses them
};

// Reads tinymlops.yaml; unknown keys and wrong types are errors naming file:line:col.
// Also an error: default_remote naming no remote, tracking neither "sqlite" nor a
// postgresql:// (or postgres://) URL. An empty file gives the defaults.
ProjectConfig read_project_config(const std::filesystem::path& file);

// The commented tinymlops.yaml that `tinymlops init` writes (every key at its default).
std::string default_project_config_text();

}  // namespace tinymlops::store

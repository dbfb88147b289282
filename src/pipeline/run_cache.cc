#include "pipeline/run_cache.h"

#include <sstream>

#include "tinymlops/core/file_io.h"

namespace tinymlops::pipeline {

namespace fs = std::filesystem;

namespace {

std::optional<std::vector<PathHash>> parse_entry(const std::string& text) {
  std::vector<PathHash> outputs;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const size_t space = line.find(' ');
    if (space != 64 || line.size() < 66) return std::nullopt;
    outputs.push_back({line.substr(65), line.substr(0, 64)});
  }
  return outputs;
}

}  // namespace

std::optional<std::vector<PathHash>> RunCache::find(const std::string& key) const {
  const fs::path file = runs_dir_ / key;
  if (!fs::exists(file)) return std::nullopt;
  return parse_entry(read_file(file));
}

void RunCache::record(const std::string& key, const std::vector<PathHash>& outputs) const {
  std::string text;
  for (const PathHash& out : outputs) text += out.hash + " " + out.path + "\n";
  fs::create_directories(runs_dir_);
  write_file_atomic(runs_dir_ / key, text);
}

std::vector<std::string> RunCache::all_hashes() const {
  std::vector<std::string> hashes;
  if (!fs::exists(runs_dir_)) return hashes;
  for (const auto& entry : fs::directory_iterator(runs_dir_)) {
    if (entry.path().filename().string().rfind(".", 0) == 0) continue;
    if (auto outputs = parse_entry(read_file(entry.path()))) {
      for (const PathHash& out : *outputs) hashes.push_back(out.hash);
    }
  }
  return hashes;
}

}  // namespace tinymlops::pipeline

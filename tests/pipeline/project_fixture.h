// A throwaway pipeline project for the pipeline tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/pipeline/output_cache.h"
#include "tinymlops/pipeline/repro.h"

namespace tinymlops::testing {

class Project {
 public:
  Project() : repo_(store::Repository::init(dir_.path())), cache_(repo_) {}

  const std::filesystem::path& root() const { return dir_.path(); }
  pipeline::StoreOutputCache& cache() { return cache_; }
  store::Repository& repo() { return repo_; }

  void write(const std::string& name, const std::string& content) const { dir_.write(name, content); }
  std::string read(const std::string& name) const { return read_file(root() / name); }
  bool exists(const std::string& name) const { return std::filesystem::exists(root() / name); }
  // Lines in `name` (0 when the file does not exist): commands append to count runs.
  int lines(const std::string& name) const {
    if (!exists(name)) return 0;
    const std::string text = read(name);
    return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  }

  pipeline::ReproResult repro(pipeline::ReproOptions options = {}) {
    log_.str("");
    options.log = &log_;
    return pipeline::repro(root(), cache_, options);
  }
  std::string log() const { return log_.str(); }

 private:
  TempDir dir_;
  store::Repository repo_;
  pipeline::StoreOutputCache cache_;
  std::ostringstream log_;
};

}  // namespace tinymlops::testing

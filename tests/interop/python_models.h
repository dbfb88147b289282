// The interop tests' inputs, made by tests/interop/make_models.py under
// Debian's /usr/bin/python3 (torch, onnx, h5py), and their reference outputs.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "test_util.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/data/dataset.h"

namespace tinymlops::testing {

// Runs `make_models.py kind dir`. Returns "" on success, or why the models are
// missing: a skip message when python lacks a module (exit 3), a failure otherwise.
inline std::string make_python_models(const std::string& kind, const std::filesystem::path& dir, bool* skip) {
  const std::string script = std::string(TINYMLOPS_SOURCE_DIR) + "/tests/interop/make_models.py";
  const std::string log = (dir / ("make_" + kind + ".log")).string();
  std::filesystem::create_directories(dir);
  const std::string command = "/usr/bin/python3 " + script + " " + kind + " " + dir.string() + " > " + log + " 2>&1";
  const int status = std::system(command.c_str());
  *skip = false;
  if (status == 0) return "";
  std::string output = std::filesystem::exists(log) ? read_file(log) : "";
  if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
    *skip = true;
    return "/usr/bin/python3 lacks a module the test needs (scripts/setup installs python3-torch, python3-onnx, "
           "python3-h5py): " + output;
  }
  return "make_models.py " + kind + " failed: " + output;
}

struct Reference {
  Matrix x, y;
};

inline Matrix matrix_of(const nlohmann::json& rows) {
  Matrix m(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows.at(0).size()));
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    for (Eigen::Index c = 0; c < m.cols(); ++c) m(r, c) = rows[size_t(r)][size_t(c)].get<float>();
  }
  return m;
}

inline Reference load_reference(const std::filesystem::path& path) {
  const auto j = nlohmann::json::parse(read_file(path));
  return {matrix_of(j.at("x")), matrix_of(j.at("y"))};
}

}  // namespace tinymlops::testing

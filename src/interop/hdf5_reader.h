// A read-only view of an HDF5 file (libhdf5's C API) for the Keras importer:
// float datasets and string attributes. Errors are Error(kFormat) naming the
// file and the object path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tinymlops::interop {

class Hdf5Reader {
 public:
  // Opens the file at `path`, or, when `image` is given, the HDF5 file held in
  // those bytes (a zip entry); `source` names it in errors.
  Hdf5Reader(const std::string& path, const std::string* image, std::string source);
  ~Hdf5Reader();
  Hdf5Reader(const Hdf5Reader&) = delete;
  Hdf5Reader& operator=(const Hdf5Reader&) = delete;

  bool exists(const std::string& path) const;  // a link at every step of `path`
  // Values converted to float, and the dims.
  std::vector<float> read_floats(const std::string& path, std::vector<int64_t>* dims) const;
  // A string attribute (fixed or variable length); nullopt when absent.
  std::optional<std::string> string_attribute(const std::string& object, const std::string& name) const;
  // A 1-D string array attribute (or a single string); nullopt when absent.
  std::optional<std::vector<std::string>> strings_attribute(const std::string& object, const std::string& name) const;
  // Names of the links in a group, in name order.
  std::vector<std::string> children(const std::string& group) const;

  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::string image_;  // the file image must outlive the file handle
  int64_t file_ = -1;
};

}  // namespace tinymlops::interop

#include "interop/hdf5_reader.h"

#include <hdf5.h>

#include "tinymlops/core/error.h"

namespace tinymlops::interop {

namespace {

// Closes an HDF5 handle with its own close function at scope exit.
struct Handle {
  hid_t id;
  herr_t (*close)(hid_t);
  ~Handle() {
    if (id >= 0) close(id);
  }
};

std::vector<std::string> read_string_values(hid_t attribute, hid_t type, hid_t space) {
  const hssize_t count = H5Sget_simple_extent_npoints(space);
  std::vector<std::string> out;
  if (count <= 0) return out;
  if (H5Tis_variable_str(type) > 0) {
    std::vector<char*> pointers(static_cast<size_t>(count), nullptr);
    Handle memtype{H5Tcopy(H5T_C_S1), H5Tclose};
    H5Tset_size(memtype.id, H5T_VARIABLE);
    H5Tset_cset(memtype.id, H5Tget_cset(type));
    if (H5Aread(attribute, memtype.id, pointers.data()) < 0) return out;
    for (char* p : pointers) out.push_back(p ? p : "");
    H5Dvlen_reclaim(memtype.id, space, H5P_DEFAULT, pointers.data());
    return out;
  }
  const size_t size = H5Tget_size(type);
  std::vector<char> buffer(size * static_cast<size_t>(count) + 1, '\0');
  Handle memtype{H5Tcopy(type), H5Tclose};
  if (H5Aread(attribute, memtype.id, buffer.data()) < 0) return out;
  for (hssize_t i = 0; i < count; ++i) {
    const char* start = buffer.data() + static_cast<size_t>(i) * size;
    size_t length = 0;
    while (length < size && start[length] != '\0') ++length;
    out.emplace_back(start, length);
  }
  return out;
}

}  // namespace

Hdf5Reader::Hdf5Reader(const std::string& path, const std::string* image, std::string source)
    : source_(std::move(source)) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors become exceptions here, not printed
  if (image) {
    image_ = *image;
    Handle fapl{H5Pcreate(H5P_FILE_ACCESS), H5Pclose};
    H5Pset_fapl_core(fapl.id, 1 << 16, 0);
    H5Pset_file_image(fapl.id, image_.data(), image_.size());
    file_ = H5Fopen(source_.c_str(), H5F_ACC_RDONLY, fapl.id);
  } else {
    file_ = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  }
  if (file_ < 0) throw Error(ErrorKind::kFormat, source_, "is not a readable HDF5 file");
}

Hdf5Reader::~Hdf5Reader() {
  if (file_ >= 0) H5Fclose(file_);
}

bool Hdf5Reader::exists(const std::string& path) const {
  std::string prefix;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    prefix += (prefix.empty() ? "" : "/") + path.substr(start, end - start);
    if (H5Lexists(file_, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    start = end + 1;
  }
  return true;
}

std::vector<float> Hdf5Reader::read_floats(const std::string& path, std::vector<int64_t>* dims) const {
  Handle dataset{H5Dopen2(file_, path.c_str(), H5P_DEFAULT), H5Dclose};
  if (dataset.id < 0) throw Error(ErrorKind::kFormat, source_, "has no dataset '" + path + "'");
  Handle space{H5Dget_space(dataset.id), H5Sclose};
  const int rank = H5Sget_simple_extent_ndims(space.id);
  if (rank < 0 || rank > 8) throw Error(ErrorKind::kFormat, source_ + ":" + path, "has an unreadable shape");
  hsize_t extent[8] = {0};
  H5Sget_simple_extent_dims(space.id, extent, nullptr);
  dims->clear();
  size_t count = 1;
  for (int i = 0; i < rank; ++i) dims->push_back(static_cast<int64_t>(extent[i])), count *= extent[i];
  std::vector<float> values(count);
  if (count > 0 && H5Dread(dataset.id, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0) {
    throw Error(ErrorKind::kFormat, source_ + ":" + path, "could not be read as float values");
  }
  return values;
}

std::optional<std::vector<std::string>> Hdf5Reader::strings_attribute(const std::string& object,
                                                                      const std::string& name) const {
  if (H5Aexists_by_name(file_, object.c_str(), name.c_str(), H5P_DEFAULT) <= 0) return std::nullopt;
  Handle attribute{H5Aopen_by_name(file_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose};
  Handle type{H5Aget_type(attribute.id), H5Tclose};
  Handle space{H5Aget_space(attribute.id), H5Sclose};
  if (attribute.id < 0 || H5Tget_class(type.id) != H5T_STRING) {
    throw Error(ErrorKind::kFormat, source_ + ":" + object, "attribute '" + name + "' is not a string");
  }
  return read_string_values(attribute.id, type.id, space.id);
}

std::optional<std::string> Hdf5Reader::string_attribute(const std::string& object, const std::string& name) const {
  auto values = strings_attribute(object, name);
  if (!values) return std::nullopt;
  if (values->size() != 1) throw Error(ErrorKind::kFormat, source_ + ":" + object, "attribute '" + name + "' is not one string");
  return values->front();
}

std::vector<std::string> Hdf5Reader::children(const std::string& group) const {
  std::vector<std::string> names;
  Handle g{H5Gopen2(file_, group.c_str(), H5P_DEFAULT), H5Gclose};
  if (g.id < 0) return names;
  H5G_info_t info;
  if (H5Gget_info(g.id, &info) < 0) return names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t size = H5Lget_name_by_idx(g.id, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (size < 0) continue;
    std::string name(static_cast<size_t>(size) + 1, '\0');
    H5Lget_name_by_idx(g.id, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT);
    name.resize(static_cast<size_t>(size));
    names.push_back(name);
  }
  return names;
}

}  // namespace tinymlops::interop

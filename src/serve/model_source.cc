#include "tinymlops/serve/model_source.h"

#include <sys/stat.h>

#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/core/hash.h"
#include "tinymlops/store/repository.h"
#include "tinymlops/track/experiment_store.h"
#include "tinymlops/track/registry.h"

namespace tinymlops::serve {
namespace {

// What a stat says about a file; a change of any field means "look again".
struct FileStamp {
  int64_t size = -1, mtime_ns = -1;
  uint64_t inode = 0;
  bool operator==(const FileStamp&) const = default;
};

FileStamp stamp_of(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw Error(ErrorKind::kIo, path.string(), "cannot read the model file");
  return {static_cast<int64_t>(st.st_size), static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
          static_cast<uint64_t>(st.st_ino)};
}

class FileSource : public ModelSource {
 public:
  explicit FileSource(std::filesystem::path path) : path_(std::move(path)) {}

  std::optional<ModelSnapshot> poll(const std::string& known_sha256) override {
    const FileStamp now = stamp_of(path_);
    if (now == seen_ && !known_sha256.empty()) return std::nullopt;
    ModelSnapshot snapshot;
    snapshot.bytes = read_file(path_);
    // Remembered before the load is tried: a file that fails to load is not retried
    // until it changes again.
    seen_ = now;
    snapshot.sha256 = to_hex(sha256(snapshot.bytes));
    if (snapshot.sha256 == known_sha256) return std::nullopt;
    snapshot.origin = path_.string();
    return snapshot;
  }

  std::string describe() const override { return path_.string(); }

 private:
  std::filesystem::path path_;
  FileStamp seen_;
};

class RegistrySource : public ModelSource {
 public:
  RegistrySource(const std::filesystem::path& project_root, std::string name, std::string alias)
      : repo_(store::Repository::open(project_root)), name_(std::move(name)), alias_(std::move(alias)) {
    track::check_registry_name(name_, "model name");
    track::check_registry_name(alias_, "alias");
    store_ = track::open_experiment_store(repo_.root(), repo_.config().tracking);
  }

  // The project is opened before `reference` is parsed (and its names checked).
  RegistrySource(const std::filesystem::path& project_root, const std::string& reference)
      : repo_(store::Repository::open(project_root)) {
    RegistryReference parsed = parse_registry_reference(reference);
    name_ = std::move(parsed.name);
    alias_ = std::move(parsed.alias);
    store_ = track::open_experiment_store(repo_.root(), repo_.config().tracking);
  }

  std::optional<ModelSnapshot> poll(const std::string& known_sha256) override {
    const int64_t version = store_->alias_version(name_, alias_);
    if (version == seen_version_ && !known_sha256.empty()) return std::nullopt;
    seen_version_ = version;
    const track::ModelVersion v = store_->model_version(name_, version);
    if (v.sha256 == known_sha256) return std::nullopt;
    const std::string origin = name_ + "@" + std::to_string(version);
    const std::filesystem::path object = repo_.cache().object_path({v.sha256, store::ObjectKind::kFile});
    if (!std::filesystem::exists(object)) {
      throw Error(ErrorKind::kIo, origin, "registered file " + v.sha256.substr(0, 12) + " is not in the object cache " +
                                              repo_.cache().dir().string());
    }
    ModelSnapshot snapshot;
    snapshot.bytes = read_file(object);
    snapshot.sha256 = to_hex(sha256(snapshot.bytes));
    if (snapshot.sha256 != v.sha256) {
      throw Error(ErrorKind::kFormat, origin, "cached object " + object.string() + " is corrupted (hash mismatch)");
    }
    snapshot.origin = origin;
    snapshot.version = version;
    return snapshot;
  }

  std::string describe() const override { return name_ + ":" + alias_; }

 private:
  store::Repository repo_;
  std::unique_ptr<track::ExperimentStore> store_;
  std::string name_, alias_;
  int64_t seen_version_ = 0;
};

}  // namespace

std::unique_ptr<ModelSource> file_model_source(const std::filesystem::path& path) {
  return std::make_unique<FileSource>(path);
}

std::unique_ptr<ModelSource> registry_model_source(const std::filesystem::path& project_root, const std::string& name,
                                                   const std::string& alias) {
  return std::make_unique<RegistrySource>(project_root, name, alias);
}

RegistryReference parse_registry_reference(const std::string& text) {
  const size_t colon = text.find(':');
  RegistryReference reference;
  reference.name = text.substr(0, colon);
  reference.alias = colon == std::string::npos ? "production" : text.substr(colon + 1);
  track::check_registry_name(reference.name, "model name");
  track::check_registry_name(reference.alias, "alias");
  return reference;
}

std::unique_ptr<ModelSource> registry_model_source(const std::filesystem::path& project_root,
                                                   const std::string& reference) {
  return std::make_unique<RegistrySource>(project_root, reference);
}

}  // namespace tinymlops::serve

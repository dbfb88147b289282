#include "tinymlops/store/repository.h"

#include <gtest/gtest.h>

#include "store_test_util.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/hash.h"

namespace tinymlops::store {
namespace {

namespace fs = std::filesystem;
using ::tinymlops::testing::TempDir;
using testing::age;
using testing::flip_byte;
using testing::message_of;

TEST(Repository, InitCreatesStateAndOpenFindsItFromBelow) {
  TempDir dir;
  Repository repo = Repository::init(dir.path());
  EXPECT_TRUE(fs::is_directory(dir.path() / ".tinymlops" / "cache"));
  EXPECT_TRUE(fs::exists(dir.path() / ".tinymlops" / "state.db"));
  EXPECT_TRUE(fs::exists(dir.path() / "tinymlops.yaml"));
  EXPECT_EQ(repo.config().tracking, "sqlite");
  fs::create_directories(dir.path() / "a" / "b");
  EXPECT_EQ(Repository::open(dir.path() / "a" / "b").root(), repo.root());
  // A second init keeps the user's configuration.
  write_file_atomic(dir.path() / "tinymlops.yaml", "gates:\n  - accuracy >= 0.9\n");
  EXPECT_EQ(Repository::init(dir.path()).config().gates.size(), 1u);
}

TEST(Repository, OpenOutsideAProjectSaysRunInit) {
  TempDir dir;
  std::string message = message_of([&] { Repository::open(dir.path()); });
  EXPECT_NE(message.find(dir.path().string() + ": not inside a tinymlops project"), std::string::npos) << message;
  EXPECT_NE(message.find("run `tinymlops init`"), std::string::npos);
}

TEST(Repository, SavesAndRestoresAFile) {
  TempDir dir;
  Repository repo = Repository::init(dir.path());
  auto file = dir.write("data.csv", "a,b\n1,2\n");
  std::string hash = repo.save(file);
  EXPECT_EQ(hash, sha256_file_hex(file));
  EXPECT_EQ(hash, repo.hash_path(file));
  EXPECT_TRUE(repo.contains(hash));
  EXPECT_EQ(read_file(file), "a,b\n1,2\n");  // left in place
  EXPECT_EQ(read_file(repo.cache().object_path({hash, ObjectKind::kFile})), "a,b\n1,2\n");
  write_file_atomic(file, "changed");
  repo.restore(hash, file);
  EXPECT_EQ(read_file(file), "a,b\n1,2\n");
  repo.restore(hash, dir.path() / "sub" / "copy.csv");
  EXPECT_EQ(read_file(dir.path() / "sub" / "copy.csv"), "a,b\n1,2\n");
}

TEST(Repository, SavesAndRestoresADirectoryAsAManifest) {
  TempDir dir;
  Repository repo = Repository::init(dir.path());
  dir.write("images/b/2.bin", "two");
  dir.write("images/a.txt", "one");
  dir.write("images/b/c/3.bin", "three");
  fs::permissions(dir.path() / "images/a.txt", fs::perms(0755));
  fs::create_directories(dir.path() / "images/empty");
  std::string hash = repo.save(dir.path() / "images");
  EXPECT_EQ(hash, repo.hash_path(dir.path() / "images/"));
  auto manifest = repo.read_manifest(hash);
  ASSERT_EQ(manifest.size(), 3u);
  EXPECT_EQ(manifest[0].path, "a.txt");
  EXPECT_EQ(manifest[0].mode, 0755u);
  EXPECT_EQ(manifest[2].path, "b/c/3.bin");
  EXPECT_EQ(hash, sha256_file_hex(repo.cache().object_path({hash, ObjectKind::kDirectory})));

  // Changed, extra and missing files are all put back the way the manifest says.
  write_file_atomic(dir.path() / "images/a.txt", "ONE");
  dir.write("images/extra/x.txt", "extra");
  fs::remove(dir.path() / "images/b/2.bin");
  repo.restore(hash, dir.path() / "images");
  EXPECT_EQ(read_file(dir.path() / "images/a.txt"), "one");
  EXPECT_EQ(read_file(dir.path() / "images/b/2.bin"), "two");
  EXPECT_FALSE(fs::exists(dir.path() / "images/extra"));
  EXPECT_EQ(fs::status(dir.path() / "images/a.txt").permissions() & fs::perms::all, fs::perms(0755));
  EXPECT_EQ(repo.hash_path(dir.path() / "images"), hash);
  // Into a fresh place, and over a file of the same name.
  repo.restore(hash, dir.path() / "copy");
  EXPECT_EQ(repo.hash_path(dir.path() / "copy"), hash);
  dir.write("file-there", "x");
  repo.restore(hash, dir.path() / "file-there");
  EXPECT_EQ(read_file(dir.path() / "file-there/b/c/3.bin"), "three");
}

TEST(Repository, CorruptedObjectIsReportedAndNeverUsed) {
  TempDir dir;
  Repository repo = Repository::init(dir.path());
  auto file = dir.write("model.bin", "weights weights weights");
  std::string hash = repo.save(file);
  fs::path object = repo.cache().object_path({hash, ObjectKind::kFile});
  flip_byte(object, 3);
  write_file_atomic(file, "the user's newer bytes");
  std::string message = message_of([&] { repo.restore(hash, file); });
  EXPECT_NE(message.find(object.string() + ": corrupted file object " + hash), std::string::npos) << message;
  EXPECT_EQ(read_file(file), "the user's newer bytes");  // untouched
  EXPECT_FALSE(fs::exists(dir.path() / "fresh.bin"));
  EXPECT_THROW(repo.restore(hash, dir.path() / "fresh.bin"), Error);
  EXPECT_FALSE(fs::exists(dir.path() / "fresh.bin"));
  EXPECT_THROW(repo.cache().verify({hash, ObjectKind::kFile}), Error);
  // Re-adding the original repairs the object.
  write_file_atomic(file, "weights weights weights");
  EXPECT_EQ(repo.save(file), hash);
  repo.cache().verify({hash, ObjectKind::kFile});
}

TEST(Repository, CorruptedManifestOrMemberIsReported) {
  TempDir dir;
  Repository repo = Repository::init(dir.path());
  dir.write("d/one", "1");
  dir.write("d/two", "2");
  std::string hash = repo.save(dir.path() / "d");
  auto manifest = repo.read_manifest(hash);
  flip_byte(repo.cache().object_path({manifest[1].hash, ObjectKind::kFile}));
  fs::remove_all(dir.path() / "d");
  std::string message = message_of([&] { repo.restore(hash, dir.path() / "d"); });
  EXPECT_NE(message.find("corrupted file object " + manifest[1].hash), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(dir.path() / "d" / "two"));
  flip_byte(repo.cache().object_path({hash, ObjectKind::kDirectory}), 5);
  message = message_of([&] { repo.read_manifest(hash); });
  EXPECT_NE(message.find("corrupted directory object " + hash), std::string::npos) << message;
}

TEST(Repository, HashCacheServesUnchangedFilesAndNoticesChanges) {
  TempDir dir;
  Repository repo = Repository::init(dir.path());
  for (int i = 0; i < 20; ++i) dir.write("d/f" + std::to_string(i), std::to_string(i));
  age(dir.path() / "d");
  std::string hash = repo.hash_path(dir.path() / "d");
  EXPECT_EQ(repo.hash_cache_stats().misses, 20);
  EXPECT_EQ(repo.hash_cache_stats().hits, 0);
  {
    Repository again = Repository::open(dir.path());  // the cache is persistent
    EXPECT_EQ(again.hash_path(dir.path() / "d"), hash);
    EXPECT_EQ(again.hash_cache_stats().hits, 20);
    EXPECT_EQ(again.hash_cache_stats().misses, 0);
  }
  // Same size, new content, aged again: the mtime differs, so it is re-hashed.
  write_file_atomic(dir.path() / "d/f3", "x");
  age(dir.path() / "d/f3");
  Repository third = Repository::open(dir.path());
  EXPECT_NE(third.hash_path(dir.path() / "d"), hash);
  EXPECT_EQ(third.hash_cache_stats().misses, 1);
  EXPECT_EQ(third.hash_cache_stats().hits, 19);
}

TEST(Repository, RecentlyModifiedFilesAreNotCached) {
  TempDir dir;
  Repository repo = Repository::init(dir.path());
  auto file = dir.write("fresh.txt", "just written");
  repo.hash_path(file);
  repo.hash_path(file);
  EXPECT_EQ(repo.hash_cache_stats().hits, 0);  // within the racy window
  EXPECT_EQ(repo.hash_cache_stats().misses, 2);
}

TEST(Repository, RefusesSymlinksAndSetsReferences) {
  TempDir dir;
  Repository repo = Repository::init(dir.path());
  dir.write("d/a", "a");
  fs::create_symlink("a", dir.path() / "d" / "link");
  std::string message = message_of([&] { repo.save(dir.path() / "d"); });
  EXPECT_NE(message.find((dir.path() / "d" / "link").string() + ": only regular files"), std::string::npos) << message;
  std::string hash = repo.save(dir.path() / "d" / "a");
  repo.set_references("pipeline.lock", {hash});
  repo.set_references("registry", {hash});
  repo.set_references("registry", {});
  auto refs = repo.references();
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs["pipeline.lock"], std::vector<std::string>{hash});
  EXPECT_THROW(repo.set_references("x", {"not-a-hash"}), Error);
  EXPECT_FALSE(repo.contains("not-a-hash"));
}

TEST(Repository, MovesWithItsConnection) {
  TempDir dir;
  Repository a = Repository::init(dir.path());
  Repository b = std::move(a);
  auto file = dir.write("x", "x");
  EXPECT_TRUE(b.contains(b.save(file)));
}

}  // namespace
}  // namespace tinymlops::store

#include "tinymlops/store/workspace.h"

#include <gtest/gtest.h>

#include "store_test_util.h"
#include "tinymlops/core/error.h"

namespace tinymlops::store {
namespace {

namespace fs = std::filesystem;
using ::tinymlops::testing::TempDir;
using testing::flip_byte;
using testing::message_of;

class WorkspaceTest : public ::testing::Test {
 protected:
  TempDir dir;
  Repository repo = Repository::init(dir.path());
  fs::path p(const std::string& relative) const { return dir.path() / relative; }
};

TEST_F(WorkspaceTest, AddWritesPointerAndGitignoreOnce) {
  dir.write("data/train.csv", "x,y\n1,2\n");
  dir.write("data/test.csv", "x,y\n3,4\n");
  AddResult r = add_path(repo, p("data/train.csv"));
  EXPECT_TRUE(r.pointer_changed);
  EXPECT_TRUE(r.gitignore_changed);
  Pointer pointer = read_pointer(p("data/train.csv.tinymlops"));
  EXPECT_EQ(pointer.path, "train.csv");
  EXPECT_EQ(pointer.size, 8u);
  EXPECT_EQ(pointer.id, r.saved.id);
  add_path(repo, p("data/test.csv"));
  AddResult again = add_path(repo, p("data/train.csv"));
  EXPECT_FALSE(again.pointer_changed);
  EXPECT_FALSE(again.gitignore_changed);
  EXPECT_EQ(read_file(p("data/.gitignore")), "/train.csv\n/test.csv\n");
}

TEST_F(WorkspaceTest, AddRefusesWhatCannotBeTracked) {
  dir.write("d/inner.txt", "x");
  add_path(repo, p("d"));
  EXPECT_NE(message_of([&] { add_path(repo, p("d/inner.txt")); }).find("is inside the tracked directory"),
            std::string::npos);
  EXPECT_NE(message_of([&] { add_path(repo, p("d.tinymlops")); }).find("is a pointer file"), std::string::npos);
  EXPECT_NE(message_of([&] { add_path(repo, p(".tinymlops/state.db")); }).find("project's own state"),
            std::string::npos);
  EXPECT_NE(message_of([&] { add_path(repo, p("nothing")); }).find("does not exist"), std::string::npos);
  TempDir outside;
  auto file = outside.write("x", "x");
  EXPECT_NE(message_of([&] { add_path(repo, file); }).find("is not inside the project"), std::string::npos);
}

TEST_F(WorkspaceTest, StatusReportsModifiedMissingAndNotInCache) {
  dir.write("a.txt", "a");
  dir.write("b.txt", "b");
  dir.write("d/1", "1");
  dir.write("d/2", "2");
  dir.write("c.txt", "c");
  for (const char* name : {"a.txt", "b.txt", "d", "c.txt"}) add_path(repo, p(name));
  auto states = workspace_status(repo, {});
  ASSERT_EQ(states.size(), 4u);
  for (const PathStatus& s : states) {
    EXPECT_EQ(s.workspace, WorkspaceState::kUnchanged) << s.tracked.target;
    EXPECT_TRUE(s.in_cache);
  }
  write_file_atomic(p("a.txt"), "A!");
  fs::remove(p("b.txt"));
  write_file_atomic(p("d/1"), "one");
  dir.write("d/3", "3");
  repo.cache().remove(read_pointer(p("c.txt.tinymlops")).id);
  states = workspace_status(repo, {});  // sorted by pointer file
  EXPECT_EQ(states[0].workspace, WorkspaceState::kModified);
  EXPECT_EQ(states[1].workspace, WorkspaceState::kMissing);
  EXPECT_EQ(states[2].workspace, WorkspaceState::kUnchanged);
  EXPECT_FALSE(states[2].in_cache);
  EXPECT_EQ(states[3].workspace, WorkspaceState::kModified);
  EXPECT_TRUE(states[3].details_known);
  EXPECT_EQ(states[3].changed, 1u);
  EXPECT_EQ(states[3].added, 1u);
  EXPECT_EQ(states[3].removed, 0u);
  // Targets narrow it down; an untracked target is a usage error.
  EXPECT_EQ(workspace_status(repo, {p("d")}).size(), 1u);
  EXPECT_EQ(workspace_status(repo, {p("a.txt.tinymlops")}).size(), 1u);
  EXPECT_NE(message_of([&] { workspace_status(repo, {p("zzz")}); }).find("is not tracked"), std::string::npos);
}

TEST_F(WorkspaceTest, BadPointerFileStopsStatusNamingFileAndLine) {
  dir.write("a.txt", "a");
  add_path(repo, p("a.txt"));
  std::string text = read_file(p("a.txt.tinymlops"));
  text.replace(text.find("size:"), 5, "sise:");
  write_file_atomic(p("a.txt.tinymlops"), text);
  std::string message = message_of([&] { workspace_status(repo, {}); });
  EXPECT_NE(message.find(p("a.txt.tinymlops").string() + ":5:1: unknown key 'sise'"), std::string::npos) << message;
}

TEST_F(WorkspaceTest, CheckoutRestoresAndRefusesToLoseUncachedChanges) {
  dir.write("a.txt", "version 1");
  dir.write("d/1", "1");
  add_path(repo, p("a.txt"));
  add_path(repo, p("d"));
  // Unchanged: nothing to do.
  for (const CheckoutResult& r : checkout(repo, {}, false)) EXPECT_FALSE(r.restored);
  // A modification that is not in the cache is refused, and nothing changes.
  write_file_atomic(p("a.txt"), "my unsaved edit");
  fs::remove(p("d/1"));
  std::string message = message_of([&] { checkout(repo, {}, false); });
  EXPECT_NE(message.find(p("a.txt").string() + ": has changes that are not in the cache"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(p("d/1")));
  // Only the directory: restored.
  auto results = checkout(repo, {p("d")}, false);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].restored);
  EXPECT_EQ(read_file(p("d/1")), "1");
  // An uncached new file inside the tracked directory is refused too.
  dir.write("d/new", "new");
  write_file_atomic(p("a.txt"), "version 1");
  message = message_of([&] { checkout(repo, {}, false); });
  EXPECT_NE(message.find(p("d/new").string() + ": has changes"), std::string::npos) << message;
  // --force discards.
  checkout(repo, {}, true);
  EXPECT_FALSE(fs::exists(p("d/new")));
}

TEST_F(WorkspaceTest, CheckoutSwitchesBetweenCachedVersions) {
  dir.write("m.bin", "model v1");
  add_path(repo, p("m.bin"));
  std::string v1_pointer = read_file(p("m.bin.tinymlops"));
  write_file_atomic(p("m.bin"), "model v2");
  add_path(repo, p("m.bin"));
  // Like `git checkout` of the old pointer: v2 is in the cache, so it is safe to replace.
  write_file_atomic(p("m.bin.tinymlops"), v1_pointer);
  auto results = checkout(repo, {}, false);
  EXPECT_TRUE(results[0].restored);
  EXPECT_EQ(read_file(p("m.bin")), "model v1");
}

TEST_F(WorkspaceTest, CheckoutOfACorruptedObjectFailsAndKeepsTheWorkspace) {
  dir.write("m.bin", "model bytes");
  AddResult r = add_path(repo, p("m.bin"));
  flip_byte(repo.cache().object_path(r.saved.id));
  fs::remove(p("m.bin"));
  std::string message = message_of([&] { checkout(repo, {}, false); });
  EXPECT_NE(message.find("corrupted file object " + r.saved.id.hash), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(p("m.bin")));
  // And status still reports it as present in the cache only by name; the read is what verifies.
  EXPECT_EQ(workspace_status(repo, {})[0].workspace, WorkspaceState::kMissing);
}

TEST_F(WorkspaceTest, GcKeepsReferencedAndDropsTheRest) {
  dir.write("keep.txt", "keep");
  dir.write("d/1", "1");
  dir.write("old.txt", "old version");
  dir.write("pipeline-out.bin", "stage output");
  add_path(repo, p("keep.txt"));
  add_path(repo, p("d"));
  AddResult old = add_path(repo, p("old.txt"));
  write_file_atomic(p("old.txt"), "new version");
  AddResult current = add_path(repo, p("old.txt"));
  std::string referenced = repo.save(p("pipeline-out.bin"));
  repo.set_references("pipeline.lock", {referenced});
  const size_t before = repo.cache().list().size();
  EXPECT_EQ(before, 6u);  // keep, d manifest, d/1, old v1, old v2, pipeline-out

  GcReport dry = collect_garbage(repo, true);
  ASSERT_EQ(dry.dropped.size(), 1u);
  EXPECT_EQ(dry.dropped[0].id, old.saved.id);
  EXPECT_EQ(dry.dropped_bytes, 11u);
  EXPECT_EQ(repo.cache().list().size(), before);  // dry run deletes nothing

  GcReport real = collect_garbage(repo, false);
  EXPECT_EQ(real.dropped.size(), 1u);
  EXPECT_EQ(real.kept, 5u);
  EXPECT_FALSE(repo.cache().contains(old.saved.id));
  EXPECT_TRUE(repo.cache().contains(current.saved.id));
  EXPECT_TRUE(repo.contains(referenced));
  // Dropping the reference lets gc take the object.
  repo.set_references("pipeline.lock", {});
  EXPECT_EQ(collect_garbage(repo, false).dropped.size(), 1u);
  EXPECT_FALSE(repo.contains(referenced));
  for (const PathStatus& s : workspace_status(repo, {})) EXPECT_TRUE(s.in_cache);
}

TEST_F(WorkspaceTest, PushAndPullBetweenTwoProjectsThroughADirectory) {
  TempDir remote_dir;
  dir.write("data/a.csv", "a");
  dir.write("data/sub/b.csv", "b");
  dir.write("model.bin", "model");
  add_path(repo, p("data"));
  add_path(repo, p("model.bin"));
  DirectoryRemote remote(remote_dir.path() / "store");
  TransferReport pushed = push(repo, remote, {});
  EXPECT_EQ(pushed.transferred, 4u);  // 2 data files, the manifest, the model
  EXPECT_TRUE(pushed.unavailable.empty());
  EXPECT_EQ(push(repo, remote, {}).already_there, 4u);  // only what is missing is copied

  // A clone: same pointer files (as git would bring), empty cache.
  TempDir clone_dir;
  Repository clone = Repository::init(clone_dir.path());
  fs::copy_file(p("data.tinymlops"), clone_dir.path() / "data.tinymlops");
  fs::copy_file(p("model.bin.tinymlops"), clone_dir.path() / "model.bin.tinymlops");
  EXPECT_FALSE(workspace_status(clone, {})[0].in_cache);
  TransferReport pulled = pull(clone, remote, {});
  EXPECT_EQ(pulled.transferred, 4u);
  checkout(clone, {}, false);
  EXPECT_EQ(read_file(clone_dir.path() / "data/sub/b.csv"), "b");
  EXPECT_EQ(read_file(clone_dir.path() / "model.bin"), "model");
  EXPECT_EQ(pull(clone, remote, {}).transferred, 0u);
}

TEST_F(WorkspaceTest, PullRefusesACorruptedRemoteObject) {
  TempDir remote_dir;
  dir.write("model.bin", "model");
  AddResult r = add_path(repo, p("model.bin"));
  DirectoryRemote remote(remote_dir.path());
  push(repo, remote, {});
  flip_byte(remote_dir.path() / object_key(r.saved.id));
  repo.cache().remove(r.saved.id);
  std::string message = message_of([&] { pull(repo, remote, {}); });
  EXPECT_NE(message.find("corrupted file object " + r.saved.id.hash), std::string::npos) << message;
  EXPECT_FALSE(repo.cache().contains(r.saved.id));
  // A corrupted local object is not pushed either.
  TempDir second;
  DirectoryRemote clean(second.path());
  write_file_atomic(p("model.bin"), "model");
  add_path(repo, p("model.bin"));
  flip_byte(repo.cache().object_path(r.saved.id));
  EXPECT_THROW(push(repo, clean, {}), Error);
  EXPECT_TRUE(clean.list().empty());
}

TEST_F(WorkspaceTest, NamedRemotesComeFromTheConfig) {
  TempDir remote_dir;
  write_file_atomic(p("tinymlops.yaml"), "remotes:\n  origin: " + remote_dir.path().string() + "\ndefault_remote: origin\n");
  EXPECT_EQ(open_named_remote(repo, "")->location(), remote_dir.path().string());
  EXPECT_NE(message_of([&] { open_named_remote(repo, "backup"); }).find("no such remote"), std::string::npos);
  EXPECT_THROW(open_remote("s3://bucket/x", dir.path()), Error);
}

}  // namespace
}  // namespace tinymlops::store

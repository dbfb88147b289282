// End-to-end tests of `tinymlops init | add | status | checkout | gc | push | pull`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli_expect.h"
#include "test_util.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/store/pointer.h"
#include "tinymlops/store/repository.h"

namespace tinymlops {
namespace {

using testing::expect_one_line_error;
namespace fs = std::filesystem;
using testing::CommandResult;
using testing::TempDir;

// Runs the tool with `dir` as its working directory.
CommandResult run_in(const fs::path& dir, const std::vector<std::string>& args) {
  testing::ScopedCwd cwd(dir);
  return testing::run_cli(args);
}


nlohmann::json status_json(const fs::path& dir) {
  CommandResult r = run_in(dir, {"status", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out)["tracked"];
}

TEST(StoreCli, HelpForEveryCommand) {
  for (const char* command : {"init", "add", "status", "checkout", "gc", "push", "pull"}) {
    CommandResult r = testing::run_cli({command, "--help"});
    EXPECT_EQ(r.exit_code, 0) << command;
    EXPECT_NE(r.out.find("--"), std::string::npos) << command;
  }
  expect_one_line_error(testing::run_cli({"add"}), 2, "PATH");
}

TEST(StoreCli, AddStatusCheckoutRoundTrip) {
  TempDir dir;
  ASSERT_EQ(run_in(dir.path(), {"init"}).exit_code, 0);
  EXPECT_TRUE(fs::exists(dir.path() / "tinymlops.yaml"));
  dir.write("data/a.csv", "x\n1\n");
  dir.write("data/b.csv", "x\n2\n");
  dir.write("model.bin", "weights");
  CommandResult add = run_in(dir.path(), {"add", "data", "model.bin", "-q"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_NE(add.out.find("added data: 8 B in 2 files"), std::string::npos) << add.out;
  EXPECT_NE(add.out.find("next: git add data.tinymlops .gitignore model.bin.tinymlops"), std::string::npos) << add.out;
  EXPECT_EQ(read_file(dir.path() / ".gitignore"), "/data\n/model.bin\n");

  CommandResult status = run_in(dir.path(), {"status"});
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_EQ(status.out, "2 tracked paths, 2 unchanged and cached\n");

  write_file_atomic(dir.path() / "data/a.csv", "x\n100\n");
  fs::remove(dir.path() / "model.bin");
  status = run_in(dir.path(), {"status"});
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_EQ(status.out,
            "modified  data (1 changed, 0 added, 0 removed)\nmissing  model.bin\n2 tracked paths, 0 unchanged and cached\n");
  nlohmann::json tracked = status_json(dir.path());
  EXPECT_EQ(tracked[0]["workspace"], "modified");
  EXPECT_EQ(tracked[1]["workspace"], "missing");
  EXPECT_EQ(tracked[1]["in_cache"], true);

  // The edit is not in the cache: checkout refuses, naming the file; --force restores.
  expect_one_line_error(run_in(dir.path(), {"checkout"}), 1, "data/a.csv: has changes that are not in the cache");
  CommandResult checkout = run_in(dir.path(), {"checkout", "model.bin"});
  EXPECT_EQ(checkout.exit_code, 0) << checkout.err;
  EXPECT_EQ(read_file(dir.path() / "model.bin"), "weights");
  checkout = run_in(dir.path(), {"checkout", "--force", "-q"});
  EXPECT_EQ(checkout.exit_code, 0) << checkout.err;
  EXPECT_EQ(read_file(dir.path() / "data/a.csv"), "x\n1\n");
  EXPECT_EQ(status_json(dir.path())[0]["workspace"], "unchanged");
}

TEST(StoreCli, CorruptedObjectIsAnErrorNamingIt) {
  TempDir dir;
  run_in(dir.path(), {"init"});
  dir.write("model.bin", "weights");
  ASSERT_EQ(run_in(dir.path(), {"add", "model.bin", "-q"}).exit_code, 0);
  auto repo = store::Repository::open(dir.path());
  std::string hash = store::read_pointer(dir.path() / "model.bin.tinymlops").id.hash;
  fs::path object = repo.cache().object_path({hash, store::ObjectKind::kFile});
  fs::permissions(object, fs::perms::owner_write, fs::perm_options::add);
  write_file_atomic(object, "weighTs");
  fs::remove(dir.path() / "model.bin");
  expect_one_line_error(run_in(dir.path(), {"checkout"}), 1, object.string() + ": corrupted file object " + hash);
  EXPECT_FALSE(fs::exists(dir.path() / "model.bin"));
}

TEST(StoreCli, GcDryRunAndReal) {
  TempDir dir;
  run_in(dir.path(), {"init"});
  dir.write("m.bin", "version one");
  run_in(dir.path(), {"add", "m.bin", "-q"});
  write_file_atomic(dir.path() / "m.bin", "version two");
  run_in(dir.path(), {"add", "m.bin", "-q"});
  CommandResult dry = run_in(dir.path(), {"gc", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("gc: would drop 1 object, 11 B (11 bytes) would be freed; kept 1"), std::string::npos) << dry.out;
  CommandResult gc = run_in(dir.path(), {"gc"});
  EXPECT_NE(gc.out.find("gc: dropped 1 object, 11 B (11 bytes) freed; kept 1"), std::string::npos) << gc.out;
  EXPECT_NE(run_in(dir.path(), {"gc"}).out.find("dropped 0 objects"), std::string::npos);
}

TEST(StoreCli, PushAndPullThroughARemoteDirectory) {
  TempDir remote, first, second;
  const std::string config = "remotes:\n  origin: " + remote.path().string() + "\ndefault_remote: origin\n";
  run_in(first.path(), {"init"});
  write_file_atomic(first.path() / "tinymlops.yaml", config);
  first.write("data/x.csv", "1,2\n");
  run_in(first.path(), {"add", "data", "-q"});
  CommandResult push = run_in(first.path(), {"push", "-q"});
  ASSERT_EQ(push.exit_code, 0) << push.err;
  EXPECT_NE(push.out.find("push: 2 objects (119 B) copied, 0 already there"), std::string::npos) << push.out;

  run_in(second.path(), {"init"});
  write_file_atomic(second.path() / "tinymlops.yaml", config);
  fs::copy_file(first.path() / "data.tinymlops", second.path() / "data.tinymlops");
  EXPECT_EQ(status_json(second.path())[0]["in_cache"], false);
  CommandResult pull = run_in(second.path(), {"pull", "--remote", "origin", "-q"});
  ASSERT_EQ(pull.exit_code, 0) << pull.err;
  EXPECT_NE(pull.out.find("next: tinymlops checkout"), std::string::npos);
  ASSERT_EQ(run_in(second.path(), {"checkout", "-q"}).exit_code, 0);
  EXPECT_EQ(read_file(second.path() / "data/x.csv"), "1,2\n");
  expect_one_line_error(run_in(second.path(), {"push", "--remote", "nowhere"}), 2, "no such remote");
}

TEST(StoreCli, ClearErrors) {
  TempDir dir;
  expect_one_line_error(run_in(dir.path(), {"status"}), 2, "not inside a tinymlops project");
  run_in(dir.path(), {"init"});
  dir.write("a.txt", "a");
  run_in(dir.path(), {"add", "a.txt", "-q"});
  write_file_atomic(dir.path() / "a.txt.tinymlops", "version: 1\nkind: file\nhash: 12\n");
  expect_one_line_error(run_in(dir.path(), {"status"}), 1, "a.txt.tinymlops:3:7: hash must be 64 lower-case hex digits");
  write_file_atomic(dir.path() / "tinymlops.yaml", "remote:\n  origin: /tmp\n");
  expect_one_line_error(run_in(dir.path(), {"push"}), 1, "tinymlops.yaml:1:1: unknown key 'remote'");
  expect_one_line_error(run_in(dir.path(), {"add", "missing.csv"}), 1, "missing.csv: does not exist");
  expect_one_line_error(run_in(dir.path(), {"checkout", "b.txt"}), 2, "b.txt: is not tracked");
}

TEST(StoreCli, ConcurrentCommandGetsTheLockMessage) {
  TempDir dir;
  run_in(dir.path(), {"init"});
  dir.write("a.txt", "a");
  auto repo = store::Repository::open(dir.path());
  store::ProjectLock held(repo);
  expect_one_line_error(run_in(dir.path(), {"add", "a.txt", "--wait", "0.2"}), 1,
                        "another tinymlops command (pid " + std::to_string(::getpid()) + ") is using this project");
  EXPECT_FALSE(fs::exists(dir.path() / "a.txt.tinymlops"));
  // status reads only: it does not wait for the lock.
  EXPECT_EQ(run_in(dir.path(), {"status"}).exit_code, 0);
}

}  // namespace
}  // namespace tinymlops

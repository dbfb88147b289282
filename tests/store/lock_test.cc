#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "store_test_util.h"
#include "tinymlops/store/repository.h"

namespace tinymlops::store {
namespace {

using ::tinymlops::testing::TempDir;
using testing::message_of;

TEST(ProjectLock, SecondCommandGetsAClearMessageNamingThePid) {
  TempDir dir;
  Repository repo = Repository::init(dir.path());
  ProjectLock first(repo);
  auto start = std::chrono::steady_clock::now();
  std::string message = message_of([&] { ProjectLock second(repo, 0.3); });
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GE(waited, 0.3);
  EXPECT_NE(message.find("another tinymlops command (pid " + std::to_string(::getpid()) + ") is using this project"),
            std::string::npos)
      << message;
}

TEST(ProjectLock, SecondProcessWaitsUntilTheFirstIsDone) {
  TempDir dir;
  Repository repo = Repository::init(dir.path());
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  if (child == 0) {
    ::close(ready[0]);
    {
      Repository child_repo = Repository::open(dir.path());
      ProjectLock lock(child_repo);
      [[maybe_unused]] ssize_t n = ::write(ready[1], "x", 1);
      std::this_thread::sleep_for(std::chrono::milliseconds(400));
    }
    ::_exit(0);
  }
  ::close(ready[1]);
  char byte;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  auto start = std::chrono::steady_clock::now();
  {
    ProjectLock lock(repo, 10);  // waits for the child to let go
    double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_GT(waited, 0.2);
    EXPECT_LT(waited, 5.0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ::close(ready[0]);
  ProjectLock again(repo, 0);  // free once released
}

}  // namespace
}  // namespace tinymlops::store

// The federated CLI for real: a `tinymlops fl server` process and four `fl client`
// processes on loopback. One client is killed mid-run, the server is killed and
// restarted from its checkpoint, and the federation still reaches its target.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "test_util.h"
#include "tinymlops/core/file_io.h"

extern char** environ;

namespace tinymlops {
namespace {

using testing::TempDir;
using testing::run_cli;
namespace fs = std::filesystem;

// A `tinymlops` process with stdout and stderr going to files.
class Process {
 public:
  Process(const std::vector<std::string>& args, const fs::path& log) : log_(log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<std::string> all = {TINYMLOPS_CLI};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, TINYMLOPS_CLI, &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Process() {
    if (pid_ > 0) kill_now();
  }
  void kill_now() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string log() const {
    std::ifstream in(log_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  // Waits up to `seconds` for the log to match `pattern`; returns the match's first group.
  std::string wait_for(const std::string& pattern, double seconds) const {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    std::smatch match;
    while (std::chrono::steady_clock::now() < until) {
      std::string text = log();
      if (std::regex_search(text, match, std::regex(pattern))) return match.size() > 1 ? match[1].str() : match[0].str();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "no '" << pattern << "' within " << seconds << " s in:\n" << log();
    return "";
  }

 private:
  fs::path log_;
  pid_t pid_ = -1;
};

// Splits digits.csv: rows 0..1499 among `clients` files, the rest as validation.
void split_digits(const fs::path& dir, int clients) {
  std::ifstream in(testing::source_dir() / "examples/data/digits.csv");
  std::string header, line;
  std::getline(in, header);
  std::vector<std::string> parts(static_cast<size_t>(clients), header + "\n");
  std::string validation = header + "\n";
  for (size_t i = 0; std::getline(in, line); ++i) {
    (i < 1500 ? parts[i % parts.size()] : validation) += line + "\n";
  }
  for (size_t c = 0; c < parts.size(); ++c) write_file_atomic(dir / ("client" + std::to_string(c) + ".csv"), parts[c]);
  write_file_atomic(dir / "validation.csv", validation);
}

TEST(FlCli, FourClientProcessesSurviveAKilledClientAndAServerRestart) {
  TempDir dir;
  split_digits(dir.path(), 4);
  const std::string root = dir.path().string();
  auto init = run_cli({"fl", "init", "--data", root + "/client0.csv", "--label", "digit", "--hidden", "32", "-o",
                       root + "/init.tmlm"});
  ASSERT_EQ(init.exit_code, 0) << init.err;

  const std::vector<std::string> server_args = {
      "fl", "server", "--model", root + "/init.tmlm", "--validation", root + "/validation.csv", "--rounds", "8",
      "--min-clients", "4", "--min-updates", "3", "--round-timeout", "3", "--local-epochs", "5", "--batch-size", "10",
      "--lr", "0.1", "--secret", "s3cret", "--checkpoint", root + "/ck", "--rounds-csv", root + "/rounds.csv", "-o",
      root + "/global.tmlm", "--port", "0"};
  auto server = std::make_unique<Process>(server_args, dir.path() / "server1.log");
  const std::string port = server->wait_for(R"(listening on http://127\.0\.0\.1:(\d+))", 20);
  ASSERT_FALSE(port.empty());

  std::vector<std::unique_ptr<Process>> clients;
  for (int c = 0; c < 4; ++c) {
    clients.push_back(std::make_unique<Process>(
        std::vector<std::string>{"fl", "client", "--server", "http://127.0.0.1:" + port, "--data",
                                 root + "/client" + std::to_string(c) + ".csv", "--secret", "s3cret", "--retry", "60",
                                 "--quiet"},
        dir.path() / ("client" + std::to_string(c) + ".log")));
  }
  // A client dies after round 2; round 3 waits for it until the timeout, then counts without it.
  server->wait_for(R"(round 2/8)", 60);
  clients[3]->kill_now();
  server->wait_for(R"(round 3/8  updates 3/4 \(1 dropped\))", 60);
  // The server dies after round 4 and comes back on the same port from its checkpoint.
  server->wait_for(R"(round 4/8)", 60);
  server->kill_now();
  std::vector<std::string> restart_args = server_args;
  restart_args.back() = port;
  server = std::make_unique<Process>(restart_args, dir.path() / "server2.log");
  server->wait_for(R"(resumed from .* at round 5)", 20);
  EXPECT_EQ(server->wait(), 0) << server->log();
  for (int c = 0; c < 3; ++c) EXPECT_EQ(clients[c]->wait(), 0) << clients[c]->log();

  // Eight rounds recorded across the restart; the last reached the target accuracy (0.85).
  std::string csv = read_file(dir.path() / "rounds.csv");
  EXPECT_NE(csv.find("\n8,1,"), std::string::npos) << csv;
  std::string log = server->log();
  std::smatch match;
  ASSERT_TRUE(std::regex_search(log, match, std::regex(R"(round 8/8 .*accuracy (0\.\d+))"))) << log;
  EXPECT_GT(std::stod(match[1]), 0.85) << log;  // the last 297 rows of digits are its hardest
  EXPECT_TRUE(fs::exists(dir.path() / "global.tmlm"));
  auto evaluate = run_cli({"evaluate", root + "/global.tmlm", "--data", root + "/validation.csv"});
  EXPECT_EQ(evaluate.exit_code, 0) << evaluate.err;
}

TEST(FlCli, SimulateReportsRoundsAndBadFlagsAreUsageErrors) {
  TempDir dir;
  const std::string data = (testing::source_dir() / "examples/data/digits.csv").string();
  auto sim = run_cli({"fl", "simulate", "--data", data, "--label", "digit", "--clients", "20", "--rounds", "3",
                      "--partition", "shards:2", "--encoding", "int8", "--rounds-csv", (dir.path() / "r.csv").string()});
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  EXPECT_NE(sim.out.find("round 3/3"), std::string::npos) << sim.out;
  EXPECT_NE(sim.out.find("20 clients (shards:2)"), std::string::npos) << sim.out;
  EXPECT_TRUE(fs::exists(dir.path() / "r.csv"));

  auto bad = run_cli({"fl", "simulate", "--data", data, "--label", "digit", "--partition", "dirichlet:-1"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("--partition"), std::string::npos) << bad.err;
  auto strategy = run_cli({"fl", "simulate", "--data", data, "--label", "digit", "--strategy", "fedsgdx"});
  EXPECT_EQ(strategy.exit_code, 2) << strategy.err;
}

}  // namespace
}  // namespace tinymlops

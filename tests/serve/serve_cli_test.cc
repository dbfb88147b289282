// The real `tinymlops serve` binary: it prints where it listens, answers, and on
// SIGTERM stops accepting, finishes what it has and exits 0. Also the cascade
// commands' output.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <regex>
#include <thread>

#include "serve/serve_fixtures.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/runtime/any_model.h"
#include "tinymlops/serve/server.h"

namespace tinymlops::serve {
namespace {

// A child process running `tinymlops ARGS`, stdout on a pipe, stderr to a file.
class ServeProcess {
 public:
  ServeProcess(const std::vector<std::string>& args, const std::filesystem::path& err_file) {
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ == 0) {
      int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(out[1], 1);
      ::dup2(err, 2);
      ::close(out[0]);
      std::vector<std::string> copies = args;
      std::string binary = TINYMLOPS_CLI;
      std::vector<char*> argv{binary.data()};
      for (std::string& a : copies) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(binary.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    out_ = ::fdopen(out[0], "r");
  }
  ~ServeProcess() {
    if (pid_ > 0 && !waited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (out_) ::fclose(out_);
  }
  // The next stdout line ("" at end of file).
  std::string line() {
    char buffer[512];
    return std::fgets(buffer, sizeof buffer, out_) ? std::string(buffer) : "";
  }
  void signal(int sig) { ::kill(pid_, sig); }
  // Exit status, or 128 + signal.
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    waited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  bool waited_ = false;
};

TEST(ServeCli, AnswersThenStopsGracefullyOnSigterm) {
  testing::TempDir dir;
  const std::string model = testing::digits_models().edge.string();
  ServeProcess serve({"serve", model, "--port", "0", "--max-concurrent", "4"}, dir.path() / "err");
  const std::string ready = serve.line();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(ready, m, std::regex(R"(^serving (.*) \(sha256 ([0-9a-f]{12})\) on http://127\.0\.0\.1:([0-9]+)\n$)")))
      << ready << read_file(dir.path() / "err");
  EXPECT_EQ(m[1], model);
  const int port = std::stoi(m[3]);

  const Matrix row = testing::validation_rows(load_any_model(model).metadata, 1);
  const std::string body = nlohmann::json{{"rows", {std::vector<float>(row.data(), row.data() + row.size())}}}.dump();
  // Requests stream in while the signal arrives: each is answered 200 or finds the
  // server gone (refused, or reset while queued unaccepted), never another status.
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, gone{0}, bad{0};
  std::thread stream([&] {
    while (!stop && gone == 0) {
      httplib::Result res = testing::local_client(port)->Post("/v1/predict", body, "application/json");
      if (!res) ++gone;
      else if (res->status == 200) ++ok;
      else ++bad;
    }
  });
  for (int i = 0; i < 2000 && ok < 20 && gone == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (ok < 20) {
    stop = true;
    stream.join();
    FAIL() << "the server did not answer: " << read_file(dir.path() / "err");
  }
  serve.signal(SIGTERM);
  const int status = serve.wait();
  stop = true;
  stream.join();
  EXPECT_EQ(status, 0) << read_file(dir.path() / "err");
  EXPECT_EQ(serve.line(), "stopped\n");
  EXPECT_EQ(bad, 0);
  EXPECT_GE(ok, 20);
}

TEST(ServeCli, CascadeAgainstALiveServer) {
  ServerOptions options;
  options.port = 0;
  options.reload_interval_seconds = 0;
  InferenceServer server(file_model_source(testing::digits_models().big), options);
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port());
  const std::string edge = testing::digits_models().edge.string(), data = testing::digits_models().validation.string();
  testing::CommandResult text = testing::run_cli({"cascade", edge, "--server", url, "--data", data, "--threshold", "0.9"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("300 rows, threshold 0.9000, battery 100%, link good"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("offload failed   0\n"), std::string::npos) << text.out;
  testing::CommandResult json =
      testing::run_cli({"cascade", edge, "--server", url, "--data", data, "--threshold", "0.9", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json report = nlohmann::json::parse(json.out);
  EXPECT_EQ(report["rows"], 300);
  EXPECT_GT(report["offloaded"].get<int>(), 0);
  EXPECT_EQ(report["offload_failed"], 0);
  testing::CommandResult down = testing::run_cli(
      {"cascade", edge, "--server", "http://127.0.0.1:1", "--data", data, "--timeout-ms", "100", "--json"});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  const nlohmann::json failed = nlohmann::json::parse(down.out);
  EXPECT_EQ(failed["offloaded"], 0);
  EXPECT_GT(failed["offload_failed"].get<long>(), 0);
  EXPECT_EQ(failed["offload_failed"].get<long>(),
            std::lround(failed["rows"].get<double>() * failed["offload_rate"].get<double>()));
  EXPECT_EQ(failed["accuracy"], failed["edge_accuracy"]);
  testing::CommandResult bad_link = testing::run_cli({"cascade", edge, "--server", url, "--data", data, "--link", "wifi"});
  EXPECT_EQ(bad_link.exit_code, 2);
  EXPECT_NE(bad_link.err.find("--link: 'wifi' is not a link quality"), std::string::npos) << bad_link.err;
}

TEST(ServeCli, UsageErrorsAndCascadeTune) {
  testing::CommandResult none = testing::run_cli({"serve"});
  EXPECT_EQ(none.exit_code, 2) << none.err;
  EXPECT_NE(none.err.find("give a model file or --registry"), std::string::npos) << none.err;
  testing::CommandResult missing = testing::run_cli({"serve", "/nonexistent/model.tmlm", "--port", "0"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("/nonexistent/model.tmlm"), std::string::npos) << missing.err;
  testing::CommandResult cascade = testing::run_cli({"cascade", testing::digits_models().edge.string()});
  EXPECT_EQ(cascade.exit_code, 2) << cascade.err;

  testing::TempDir dir;
  const std::string plot = (dir.path() / "curve.svg").string();
  testing::CommandResult tune = testing::run_cli({"cascade", "tune", testing::digits_models().edge.string(),
                                                  testing::digits_models().big.string(), "--data",
                                                  testing::digits_models().validation.string(), "--plot", plot});
  ASSERT_EQ(tune.exit_code, 0) << tune.err;
  EXPECT_NE(tune.out.find("300 rows: edge accuracy"), std::string::npos) << tune.out;
  EXPECT_NE(tune.out.find("threshold   accuracy   offload"), std::string::npos) << tune.out;
  EXPECT_TRUE(std::regex_search(tune.out, std::regex(R"(best: threshold 0\.[0-9]{4} gives accuracy)"))) << tune.out;
  EXPECT_NE(read_file(plot).find("<svg"), std::string::npos);
  EXPECT_EQ(read_file(dir.path() / "curve.csv").rfind("threshold,accuracy,offload_rate\n", 0), 0u);
}

}  // namespace
}  // namespace tinymlops::serve

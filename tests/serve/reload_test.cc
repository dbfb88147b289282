// Hot reload: a new model file or a moved registry alias is swapped in while
// requests keep coming, none of them failing; a broken version is refused and
// the old one keeps serving.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <set>
#include <thread>

#include "serve/serve_fixtures.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/core/hash.h"
#include "tinymlops/runtime/any_model.h"
#include "tinymlops/serve/server.h"
#include "tinymlops/store/repository.h"
#include "tinymlops/track/registry.h"

namespace tinymlops::serve {
namespace {

using testing::digits_models;

std::string sha_of(const std::filesystem::path& file) { return to_hex(sha256(read_file(file))); }

// Clients posting predictions back to back until stopped; counts answers by status
// and records which model answered.
class RequestStream {
 public:
  RequestStream(int port, std::string body, int clients) {
    for (int i = 0; i < clients; ++i) {
      threads_.emplace_back([this, port, body] {
        auto client = testing::local_client(port);
        client->set_keep_alive(true);
        while (!stop_) {
          httplib::Result res = client->Post("/v1/predict", body, "application/json");
          std::lock_guard lock(mutex_);
          if (!res || res->status != 200) {
            failures_.push_back(res ? "HTTP " + std::to_string(res->status) + " " + res->body
                                    : httplib::to_string(res.error()));
            continue;
          }
          ++ok_;
          shas_.insert(res->get_header_value("X-Model-Sha256"));
          last_sha_ = res->get_header_value("X-Model-Sha256");
        }
      });
    }
  }
  ~RequestStream() { stop(); }
  void stop() {
    stop_ = true;
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  // Waits (up to 10 s) until a response came from the model with `sha`.
  bool wait_for_sha(const std::string& sha) {
    for (int i = 0; i < 1000; ++i) {
      {
        std::lock_guard lock(mutex_);
        if (last_sha_ == sha) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  int ok() {
    std::lock_guard lock(mutex_);
    return ok_;
  }
  std::vector<std::string> failures() {
    std::lock_guard lock(mutex_);
    return failures_;
  }
  std::set<std::string> shas() {
    std::lock_guard lock(mutex_);
    return shas_;
  }

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  int ok_ = 0;
  std::vector<std::string> failures_;
  std::set<std::string> shas_;
  std::string last_sha_;
};

std::string one_row_body() {
  const Matrix row = testing::validation_rows(load_any_model(digits_models().edge).metadata, 1);
  return nlohmann::json{{"rows", {std::vector<float>(row.data(), row.data() + row.size())}}}.dump();
}

TEST(HotReload, NewModelFileIsSwappedInWithoutAFailedRequest) {
  testing::TempDir dir;
  const std::filesystem::path served = dir.path() / "model.tmlm";
  write_file_atomic(served, read_file(digits_models().edge));
  ServerOptions options;
  options.port = 0;
  options.reload_interval_seconds = 0.02;
  std::vector<std::string> messages;
  std::mutex messages_mutex;
  options.on_message = [&](const std::string& text) {
    std::lock_guard lock(messages_mutex);
    messages.push_back(text);
  };
  InferenceServer server(file_model_source(served), options);
  RequestStream stream(server.port(), one_row_body(), 3);
  ASSERT_TRUE(stream.wait_for_sha(sha_of(digits_models().edge)));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));

  write_file_atomic(served, read_file(digits_models().big));  // temp file + rename, as a deploy would
  ASSERT_TRUE(stream.wait_for_sha(sha_of(digits_models().big))) << "the new model never answered";
  const int before_broken = stream.ok();

  write_file_atomic(served, "this is not a model");  // refused; the big model keeps serving
  for (int i = 0; i < 200 && server.metrics().reload_failures() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  stream.stop();

  EXPECT_TRUE(stream.failures().empty()) << stream.failures().size() << " failed, first: " << stream.failures()[0];
  EXPECT_GT(stream.ok(), before_broken);
  EXPECT_EQ(stream.shas(), (std::set<std::string>{sha_of(digits_models().edge), sha_of(digits_models().big)}));
  EXPECT_EQ(server.model_sha256(), sha_of(digits_models().big));
  EXPECT_EQ(server.metrics().reloads(), 1);
  EXPECT_EQ(server.metrics().reload_failures(), 1);
  std::lock_guard lock(messages_mutex);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_NE(messages[0].find("reloaded " + served.string()), std::string::npos) << messages[0];
  EXPECT_NE(messages[1].find("reload failed, still serving sha256 " + sha_of(digits_models().big).substr(0, 12)),
            std::string::npos)
      << messages[1];
  EXPECT_NE(messages[1].find(served.string()), std::string::npos) << messages[1];
}

TEST(HotReload, RegistryAliasMoveIsServed) {
  testing::TempDir dir;
  store::Repository repo = store::Repository::init(dir.path());
  {
    auto store = track::open_experiment_store(repo.root(), "sqlite");
    for (const std::filesystem::path& file : {digits_models().edge, digits_models().big}) {
      track::RegisterRequest request;
      request.name = "digits";
      request.file = file;
      track::register_model(*store, repo, request);
    }
    store->set_alias("digits", "production", 1, "test");
  }
  ServerOptions options;
  options.port = 0;
  options.reload_interval_seconds = 0;  // reload_now() below, for a deterministic test
  InferenceServer server(registry_model_source(dir.path(), "digits", "production"), options);
  auto client = testing::local_client(server.port());
  nlohmann::json info = nlohmann::json::parse(client->Get("/v1/model")->body);
  EXPECT_EQ(info["version"], 1);
  EXPECT_EQ(info["source"], "digits@1");
  EXPECT_EQ(info["sha256"], sha_of(digits_models().edge));
  EXPECT_FALSE(server.reload_now());  // nothing moved

  auto store = track::open_experiment_store(repo.root(), "sqlite");
  store->set_alias("digits", "production", 2, "test");
  EXPECT_TRUE(server.reload_now());
  info = nlohmann::json::parse(client->Get("/v1/model")->body);
  EXPECT_EQ(info["version"], 2);
  EXPECT_EQ(info["sha256"], sha_of(digits_models().big));
  EXPECT_EQ(info["reloads"], 1);
  EXPECT_NE(client->Get("/metrics")->body.find("version=\"2\",source=\"digits:production\"} 1"), std::string::npos);

  try {
    InferenceServer unset(registry_model_source(dir.path(), "digits", "staging"), options);
    ADD_FAILURE() << "served an unset alias";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("digits:staging"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tinymlops::serve

// server.h over real sockets: predictions equal the library's, the model,
// health and metrics routes, the concurrency limit, graceful stop.
#include "tinymlops/serve/server.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <regex>
#include <sstream>

#include "serve/serve_fixtures.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/core/hash.h"
#include "tinymlops/runtime/any_model.h"
#include "tinymlops/serve/predict_api.h"

namespace tinymlops::serve {
namespace {

using testing::digits_models;
using testing::local_client;

ServerOptions test_options() {
  ServerOptions options;
  options.port = 0;
  options.reload_interval_seconds = 0;
  return options;
}

std::string rows_json(const Matrix& rows) {
  nlohmann::json list = nlohmann::json::array();
  for (Eigen::Index r = 0; r < rows.rows(); ++r) {
    list.push_back(std::vector<float>(rows.row(r).data(), rows.row(r).data() + rows.cols()));
  }
  return nlohmann::json{{"rows", list}}.dump();
}

std::string rows_binary(const Matrix& rows) {
  return std::string(reinterpret_cast<const char*>(rows.data()), static_cast<size_t>(rows.size()) * sizeof(float));
}

void expect_same_predictions(const std::vector<Prediction>& served, const std::vector<Prediction>& library) {
  ASSERT_EQ(served.size(), library.size());
  for (size_t i = 0; i < served.size(); ++i) {
    EXPECT_EQ(served[i].index, library[i].index) << "row " << i;
    EXPECT_EQ(served[i].label, library[i].label) << "row " << i;
    ASSERT_EQ(served[i].probabilities.size(), library[i].probabilities.size());
    for (size_t c = 0; c < served[i].probabilities.size(); ++c) {
      EXPECT_FLOAT_EQ(served[i].probabilities[c], library[i].probabilities[c]) << "row " << i << " class " << c;
    }
  }
}

// JSON and binary bodies, one row and batches of 32, for a .tmlm and a .tdm model:
// the server answers exactly what the library computes.
TEST(InferenceServer, PredictionsEqualTheLibrarysForJsonAndBinaryBatches) {
  for (const std::filesystem::path& file : {digits_models().edge, digits_models().edge_deploy}) {
    SCOPED_TRACE(file.filename().string());
    LoadedModel model = load_any_model(file);
    InferenceServer server(file_model_source(file), test_options());
    auto client = local_client(server.port());
    for (size_t count : {size_t{1}, size_t{32}}) {
      const Matrix rows = testing::validation_rows(model.metadata, count);
      const std::vector<Prediction> expected = to_predictions(model.metadata, model.predict(rows));
      for (bool json : {true, false}) {
        httplib::Result res = json ? client->Post("/v1/predict", rows_json(rows), "application/json")
                                   : client->Post("/v1/predict", rows_binary(rows), "application/octet-stream");
        ASSERT_TRUE(res) << httplib::to_string(res.error());
        ASSERT_EQ(res->status, 200) << res->body;
        EXPECT_EQ(res->get_header_value("X-Model-Sha256"), to_hex(sha256(read_file(file))));
        expect_same_predictions(parse_predictions_json(res->body, "response"), expected);
      }
    }
    // Counted once the answer is written, so possibly just after the client has it.
    EXPECT_TRUE(testing::eventually([&] { return server.metrics().requests("/v1/predict", 200) == 4; }));
  }
}

TEST(InferenceServer, ModelHealthAndMetricsRoutes) {
  const std::filesystem::path& file = digits_models().edge;
  InferenceServer server(file_model_source(file), test_options());
  auto client = local_client(server.port());
  httplib::Result model = client->Get("/v1/model");
  ASSERT_TRUE(model);
  ASSERT_EQ(model->status, 200);
  nlohmann::json info = nlohmann::json::parse(model->body);
  EXPECT_EQ(info["sha256"], to_hex(sha256(read_file(file))));
  EXPECT_EQ(info["width"], 64);
  EXPECT_EQ(info["labels"].size(), 10u);
  EXPECT_EQ(info["task"], "classification");
  EXPECT_TRUE(info["version"].is_null());
  EXPECT_EQ(info["source"], file.string());

  httplib::Result health = client->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(nlohmann::json::parse(health->body)["status"], "ok");

  const Matrix rows = testing::validation_rows(load_any_model(file).metadata, 3);
  ASSERT_EQ(client->Post("/v1/predict", rows_json(rows), "application/json")->status, 200);
  ASSERT_EQ(client->Post("/v1/predict", "{", "application/json")->status, 400);
  ASSERT_TRUE(testing::eventually([&] {
    return server.metrics().errors() == 1 && server.metrics().requests("/v1/predict", 200) == 1 &&
           server.metrics().requests("/healthz", 200) == 1;
  }));
  httplib::Result metrics = client->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = metrics->body;
  // Every sample line is NAME{LABELS} VALUE, every family has HELP and TYPE.
  const std::regex sample(R"(^[a-z_]+(\{([a-z_0-9]+="[^"]*",?)*\})? [0-9.e+-]+$)");
  std::istringstream lines(text);
  std::string line;
  int samples = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) continue;
    EXPECT_TRUE(std::regex_match(line, sample)) << line;
    ++samples;
  }
  EXPECT_GT(samples, 20);
  EXPECT_NE(text.find("tinymlops_http_requests_total{path=\"/v1/predict\",code=\"200\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("tinymlops_http_requests_total{path=\"/v1/predict\",code=\"400\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("tinymlops_http_requests_total{path=\"/healthz\",code=\"200\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("tinymlops_http_request_errors_total 1\n"), std::string::npos);
  EXPECT_NE(text.find("tinymlops_predict_duration_seconds_bucket{le=\"+Inf\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("tinymlops_predict_duration_seconds_count 1\n"), std::string::npos);
  EXPECT_NE(text.find("tinymlops_predict_rows_total 3\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE tinymlops_predict_duration_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("tinymlops_model_reloads_total 0\n"), std::string::npos);
}

// Holds predictions inside the admission slot until released.
struct Gate {
  std::mutex mutex;
  std::condition_variable cv;
  int entered = 0;
  bool open = false;
  void pass() {
    std::unique_lock lock(mutex);
    ++entered;
    cv.notify_all();
    cv.wait(lock, [this] { return open; });
  }
  void wait_entered(int count) {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return entered >= count; });
  }
  void release() {
    std::lock_guard lock(mutex);
    open = true;
    cv.notify_all();
  }
};

TEST(InferenceServer, PredictionsBeyondTheConcurrencyLimitGet429) {
  Gate gate;
  ServerOptions options = test_options();
  options.max_concurrent = 1;
  options.before_predict = [&gate] { gate.pass(); };
  InferenceServer server(file_model_source(digits_models().edge), options);
  const std::string body = rows_json(testing::validation_rows(load_any_model(digits_models().edge).metadata, 1));
  auto first = std::async(std::launch::async, [&] {
    return local_client(server.port())->Post("/v1/predict", body, "application/json")->status;
  });
  gate.wait_entered(1);
  httplib::Result second = local_client(server.port())->Post("/v1/predict", body, "application/json");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 429);
  EXPECT_EQ(second->get_header_value("Retry-After"), "1");
  EXPECT_NE(nlohmann::json::parse(second->body)["error"].get<std::string>().find("busy"), std::string::npos);
  EXPECT_EQ(local_client(server.port())->Get("/healthz")->status, 200);  // other routes stay reachable
  gate.release();
  EXPECT_EQ(first.get(), 200);
  EXPECT_EQ(local_client(server.port())->Post("/v1/predict", body, "application/json")->status, 200);
}

// stop() while a prediction runs: it is answered, then stop returns.
TEST(InferenceServer, StopFinishesTheRequestInFlight) {
  Gate gate;
  ServerOptions options = test_options();
  options.before_predict = [&gate] { gate.pass(); };
  auto server = std::make_unique<InferenceServer>(file_model_source(digits_models().edge), options);
  const int port = server->port();
  const std::string body = rows_json(testing::validation_rows(load_any_model(digits_models().edge).metadata, 2));
  auto request = std::async(std::launch::async, [&] {
    httplib::Result res = local_client(port)->Post("/v1/predict", body, "application/json");
    return res ? res->status : -1;
  });
  gate.wait_entered(1);
  auto stopping = std::async(std::launch::async, [&] { server->stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(stopping.wait_for(std::chrono::seconds(0)), std::future_status::timeout) << "stop did not wait";
  gate.release();
  EXPECT_EQ(request.get(), 200);
  stopping.get();
  EXPECT_FALSE(local_client(port)->Get("/healthz")) << "still accepting after stop";
}

TEST(InferenceServer, UnloadableModelAndBusyPortAreErrors) {
  testing::TempDir dir;
  const std::filesystem::path junk = dir.write("junk.tmlm", "not a model");
  EXPECT_THROW(InferenceServer(file_model_source(junk), test_options()), Error);
  EXPECT_THROW(InferenceServer(file_model_source(dir.path() / "missing.tmlm"), test_options()), Error);
  InferenceServer first(file_model_source(digits_models().edge), test_options());
  ServerOptions same_port = test_options();
  same_port.port = first.port();
  try {
    InferenceServer second(file_model_source(digits_models().edge), same_port);
    ADD_FAILURE() << "bound a port in use";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIo);
    EXPECT_NE(std::string(e.what()).find(std::to_string(first.port())), std::string::npos);
  }
}

}  // namespace
}  // namespace tinymlops::serve

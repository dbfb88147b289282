// cascade.h: the offload policy, offloading exactly below the threshold to a real
// inference server, and the flagged edge answer on timeouts and server errors.
#include "tinymlops/serve/cascade.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "serve/serve_fixtures.h"
#include "tinymlops/core/error.h"
#include "tinymlops/serve/server.h"

namespace tinymlops::serve {
namespace {

using testing::digits_models;

TEST(OffloadPolicy, BatteryLinkAndThreshold) {
  const OffloadPolicy policy;  // threshold 0.8, min battery 0.15, poor link x0.5
  const DeviceState good{1.0, LinkQuality::kGood};
  EXPECT_EQ(decide_offload(policy, 0.79, good), OffloadDecision::kOffload);
  EXPECT_EQ(decide_offload(policy, 0.8, good), OffloadDecision::kConfident);  // strictly below
  EXPECT_EQ(decide_offload(policy, 0.99, good), OffloadDecision::kConfident);
  EXPECT_EQ(decide_offload(policy, 0.1, {0.14, LinkQuality::kGood}), OffloadDecision::kLowBattery);
  EXPECT_EQ(decide_offload(policy, 0.1, {0.15, LinkQuality::kGood}), OffloadDecision::kOffload);
  EXPECT_EQ(decide_offload(policy, 0.1, {1.0, LinkQuality::kDown}), OffloadDecision::kLinkDown);
  EXPECT_EQ(decide_offload(policy, 0.1, {0.05, LinkQuality::kDown}), OffloadDecision::kLowBattery);
  EXPECT_EQ(decide_offload(policy, 0.39, {1.0, LinkQuality::kPoor}), OffloadDecision::kOffload);
  EXPECT_EQ(decide_offload(policy, 0.41, {1.0, LinkQuality::kPoor}), OffloadDecision::kConfident);
  EXPECT_EQ(parse_link_quality("poor", "--link"), LinkQuality::kPoor);
  EXPECT_THROW(parse_link_quality("wifi", "--link"), Error);
}

CascadeOptions options_for(int port, double threshold, int timeout_ms = 2000) {
  CascadeOptions options;
  options.server_url = "http://127.0.0.1:" + std::to_string(port);
  options.timeout_ms = timeout_ms;
  options.policy.threshold = threshold;
  return options;
}

// Predictions one row at a time, as the cascade makes them (a batch may round
// differently: another matrix product kernel).
std::vector<Prediction> row_by_row(LoadedModel& model, const Matrix& rows) {
  std::vector<Prediction> out;
  for (Eigen::Index r = 0; r < rows.rows(); ++r) out.push_back(to_predictions(model.metadata, model.predict(rows.row(r)))[0]);
  return out;
}

// The median confidence: a threshold with rows on both sides.
double median_confidence(const std::vector<Prediction>& predictions) {
  std::vector<double> c;
  for (const Prediction& x : predictions) c.push_back(x.confidence);
  std::nth_element(c.begin(), c.begin() + static_cast<long>(c.size() / 2), c.end());
  return c[c.size() / 2];
}

TEST(Cascade, OffloadsExactlyTheRowsBelowTheThresholdAndUsesTheServersAnswer) {
  ServerOptions server_options;
  server_options.port = 0;
  server_options.reload_interval_seconds = 0;
  InferenceServer server(file_model_source(digits_models().big), server_options);
  LoadedModel edge = load_any_model(digits_models().edge);
  LoadedModel big = load_any_model(digits_models().big);
  const Matrix rows = testing::validation_rows(edge.metadata, 60);
  const std::vector<Prediction> edge_answers = row_by_row(edge, rows);
  const std::vector<Prediction> big_answers = row_by_row(big, rows);
  const double threshold = median_confidence(edge_answers);
  Cascade cascade(std::move(edge), options_for(server.port(), threshold));
  int offloaded = 0;
  for (Eigen::Index r = 0; r < rows.rows(); ++r) {
    SCOPED_TRACE("row " + std::to_string(r));
    const CascadeAnswer a = cascade.predict(rows.row(r), {});
    const size_t i = static_cast<size_t>(r);
    EXPECT_EQ(a.edge.index, edge_answers[i].index);
    EXPECT_EQ(a.offloaded, edge_answers[i].confidence < threshold);
    EXPECT_FALSE(a.offload_failed) << a.failure;
    EXPECT_EQ(a.prediction.index, a.offloaded ? big_answers[i].index : edge_answers[i].index);
    offloaded += a.offloaded;
  }
  EXPECT_EQ(offloaded, 30);  // the median splits 60 distinct confidences in half
  EXPECT_TRUE(testing::eventually([&] { return server.metrics().requests("/v1/predict", 200) == offloaded; }));
}

// A stand-in server that answers /v1/predict after `delay` with `status`, counting requests.
class FakeServer {
 public:
  FakeServer(std::chrono::milliseconds delay, int status, std::string body) {
    http_.Post("/v1/predict", [this, delay, status, body](const httplib::Request&, httplib::Response& res) {
      ++requests_;
      std::this_thread::sleep_for(delay);
      res.status = status;
      res.set_content(body, "application/json");
    });
    port_ = http_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { http_.listen_after_bind(); });
    while (!http_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeServer() {
    http_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  int requests() const { return requests_; }

 private:
  httplib::Server http_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> requests_{0};
};

TEST(Cascade, TimeoutGivesTheEdgeAnswerFlagged) {
  FakeServer slow(std::chrono::milliseconds(600), 200, R"({"predictions": []})");
  LoadedModel edge = load_any_model(digits_models().edge);
  const Matrix row = testing::validation_rows(edge.metadata, 1);
  Cascade cascade(std::move(edge), options_for(slow.port(), 1.01, 100));  // every row offloaded
  const auto start = std::chrono::steady_clock::now();
  const CascadeAnswer a = cascade.predict(row, {});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(a.decision, OffloadDecision::kOffload);
  EXPECT_TRUE(a.offload_failed);
  EXPECT_FALSE(a.offloaded);
  EXPECT_NE(a.failure.find("timeout"), std::string::npos) << a.failure;
  EXPECT_EQ(a.prediction.index, a.edge.index);
  EXPECT_LT(seconds, 0.45) << "the timeout did not bound the wait";
  EXPECT_EQ(slow.requests(), 1);
}

TEST(Cascade, ServerErrorsAndUnreachableServerGiveTheEdgeAnswerFlagged) {
  LoadedModel edge = load_any_model(digits_models().edge);
  const Matrix row = testing::validation_rows(edge.metadata, 1);
  {
    FakeServer refusing(std::chrono::milliseconds(0), 422, R"({"error": "rows[0] has 64 values; the model takes 4"})");
    Cascade cascade(load_any_model(digits_models().edge), options_for(refusing.port(), 1.01));
    const CascadeAnswer a = cascade.predict(row, {});
    EXPECT_TRUE(a.offload_failed);
    EXPECT_EQ(a.failure, "HTTP 422: rows[0] has 64 values; the model takes 4");
    EXPECT_EQ(a.prediction.index, a.edge.index);
  }
  {
    FakeServer strange(std::chrono::milliseconds(0), 200, R"({"predictions": [{"class": "cat", "index": 0,
                       "confidence": 1, "probabilities": [1]}]})");
    Cascade cascade(load_any_model(digits_models().edge), options_for(strange.port(), 1.01));
    const CascadeAnswer a = cascade.predict(row, {});
    EXPECT_TRUE(a.offload_failed);
    EXPECT_NE(a.failure.find("class 'cat', unknown to the edge model"), std::string::npos) << a.failure;
  }
  int closed_port = 0;
  {
    FakeServer gone(std::chrono::milliseconds(0), 200, "{}");
    closed_port = gone.port();
  }
  Cascade cascade(std::move(edge), options_for(closed_port, 1.01, 300));
  const CascadeAnswer a = cascade.predict(row, {});
  EXPECT_TRUE(a.offload_failed);
  EXPECT_FALSE(a.failure.empty());
  EXPECT_EQ(a.prediction.index, a.edge.index);
}

TEST(Cascade, PolicyKeepsRowsLocalWithoutAskingTheServer) {
  FakeServer counting(std::chrono::milliseconds(0), 500, "{}");
  LoadedModel edge = load_any_model(digits_models().edge);
  const Matrix row = testing::validation_rows(edge.metadata, 1);
  Cascade cascade(std::move(edge), options_for(counting.port(), 1.01));
  EXPECT_EQ(cascade.predict(row, {0.10, LinkQuality::kGood}).decision, OffloadDecision::kLowBattery);
  EXPECT_EQ(cascade.predict(row, {0.90, LinkQuality::kDown}).decision, OffloadDecision::kLinkDown);
  EXPECT_EQ(counting.requests(), 0);
  const CascadeAnswer a = cascade.predict(row, {0.90, LinkQuality::kPoor});  // 1.01 * 0.5: offloads below 0.505
  EXPECT_EQ(a.decision, a.edge.confidence < 0.505 ? OffloadDecision::kOffload : OffloadDecision::kConfident);
  EXPECT_EQ(counting.requests(), a.decision == OffloadDecision::kOffload ? 1 : 0);
  EXPECT_THROW(cascade.predict(Matrix::Zero(1, 3), {}), Error);
  CascadeOptions ftp;
  ftp.server_url = "ftp://x";
  EXPECT_THROW(Cascade(load_any_model(digits_models().edge), ftp), Error);
}

TEST(Cascade, RunOverACsvCountsAccuracyOffloadsAndFailures) {
  ServerOptions server_options;
  server_options.port = 0;
  server_options.reload_interval_seconds = 0;
  InferenceServer server(file_model_source(digits_models().big), server_options);
  const CascadeReport all = run_cascade(digits_models().edge, digits_models().validation,
                                        options_for(server.port(), 1.01), {});
  EXPECT_EQ(all.rows, 300u);
  EXPECT_EQ(all.offload_rate, 1.0);
  EXPECT_EQ(all.offloaded, 300u);
  EXPECT_EQ(all.offload_failed, 0u);
  const CascadeReport none = run_cascade(digits_models().edge, digits_models().validation,
                                         options_for(server.port(), 0.0), {});
  EXPECT_EQ(none.offloaded, 0u);
  EXPECT_EQ(none.accuracy, none.edge_accuracy);
  EXPECT_GE(all.accuracy, none.accuracy);  // the big model is the better one here
  const CascadeReport down = run_cascade(digits_models().edge, digits_models().validation,
                                         options_for(server.port(), 1.01), {1.0, LinkQuality::kDown});
  EXPECT_EQ(down.link_down, 300u);
  EXPECT_EQ(down.offload_rate, 0.0);
}

}  // namespace
}  // namespace tinymlops::serve

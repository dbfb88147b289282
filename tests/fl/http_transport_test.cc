#include "tinymlops/fl/http_transport.h"

#include <httplib.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "fl_test_util.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"

namespace tinymlops::fl {
namespace {

using tinymlops::testing::TempDir;

double wall_clock() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// Writes rows [begin, end) of digits.csv (with its header) to `path`.
void write_rows(const std::filesystem::path& path, size_t begin, size_t end) {
  std::ifstream in(tinymlops::testing::source_dir() / "examples/data/digits.csv");
  std::string line, out;
  std::getline(in, line);
  out = line + "\n";
  for (size_t i = 0; std::getline(in, line); ++i) {
    if (i >= begin && i < end) out += line + "\n";
  }
  write_file_atomic(path, out);
}

struct LiveServer {
  std::unique_ptr<FlServer> server;
  std::unique_ptr<FlHttpServer> http;
  std::thread runner;
  std::vector<RoundRecord> rounds;
  std::vector<std::string> messages;

  LiveServer(const Dataset& data, ServerConfig config, HttpServerOptions options = {}) {
    server = std::make_unique<FlServer>(testing::digits_model(data), config, data, wall_clock);
    options.linger_seconds = 1;
    http = std::make_unique<FlHttpServer>(*server, options);
    runner = std::thread([this] {
      http->run([this](const RoundRecord& r) { rounds.push_back(r); },
                [this](const std::string& m) { messages.push_back(m); });
    });
  }
  ~LiveServer() {
    http->stop();
    runner.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(http->port()); }
};

ServerConfig config_for(int clients) {
  ServerConfig config;
  config.rounds = 3;
  config.min_clients = clients;
  config.min_updates = clients;
  config.round_timeout = 20;
  config.local.batch_size = 10;
  config.local.learning_rate = 0.1f;
  config.local.epochs = 2;
  config.enrollment_secret = "s3cret";
  config.reject_norm = 100;
  return config;
}

TEST(FlHttp, BadRequestsGetClearStatusesAndNothingIsAggregated) {
  Dataset data = testing::digits();
  LiveServer live(data, config_for(2));
  httplib::Client http(live.url());
  auto post_json = [&](const nlohmann::json& body) { return http.Post("/v1/register", body.dump(), "application/json"); };

  EXPECT_EQ(post_json({{"name", "m"}, {"secret", "guess"}})->status, 403);
  EXPECT_EQ(http.Post("/v1/register", "{not json", "application/json")->status, 400);
  EXPECT_EQ(http.Get("/v1/task")->status, 401);  // no token
  auto reg = nlohmann::json::parse(post_json({{"name", "m"}, {"secret", "s3cret"}})->body);
  post_json({{"name", "other"}, {"secret", "s3cret"}});  // the second client opens round 1
  http.set_bearer_token_auth(reg["token"].get<std::string>().c_str());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto task = nlohmann::json::parse(http.Get("/v1/task")->body);
  ASSERT_EQ(task["state"], "train");

  // Oversize body: refused by the transport before it reaches the server.
  EXPECT_EQ(http.Post("/v1/update", std::string(64 << 20, 'x'), "application/octet-stream")->status, 413);
  // Garbage: 400 with the reason.
  auto garbage = http.Post("/v1/update", std::string(100, 'x'), "application/octet-stream");
  EXPECT_EQ(garbage->status, 400);
  EXPECT_NE(garbage->body.find("magic"), std::string::npos) << garbage->body;

  // A well-formed update with a huge norm: 422; the round cannot count.
  Model model = testing::digits_model(data);
  Weights delta(layout_size(layout_of(model)), 1000.f);
  UpdateMessage m;
  m.round = task["round"].get<uint32_t>();
  m.samples = 10;
  m.payload = encode_delta(delta, layout_of(model), UpdateEncoding::kFloat32);
  auto huge = http.Post("/v1/update", serialize_update(m), "application/octet-stream");
  EXPECT_EQ(huge->status, 422);
  EXPECT_NE(huge->body.find("exceeds the bound"), std::string::npos) << huge->body;
  EXPECT_EQ(live.server->history().size(), 0u);
  EXPECT_EQ(live.server->rejections().size(), 2u);
}

TEST(FlHttp, ThreeClientsTrainTogetherOverLoopback) {
  TempDir dir;
  Dataset data = testing::digits();
  LiveServer live(data, config_for(3));
  std::vector<std::thread> clients;
  std::vector<ClientSummary> summaries(3);
  for (int i = 0; i < 3; ++i) {
    std::filesystem::path csv = dir.path() / ("client" + std::to_string(i) + ".csv");
    write_rows(csv, static_cast<size_t>(i) * 500, static_cast<size_t>(i + 1) * 500);
    clients.emplace_back([&, i, csv] {
      HttpClientOptions options;
      options.url = live.url();
      options.name = "client" + std::to_string(i);
      options.secret = "s3cret";
      options.data = csv;
      options.poll_seconds = 0.05;
      summaries[i] = run_http_client(options, nullptr);
    });
  }
  for (std::thread& t : clients) t.join();
  ASSERT_EQ(live.server->history().size(), 3u);
  for (const RoundRecord& r : live.server->history()) EXPECT_EQ(r.accepted, 3);
  for (const ClientSummary& s : summaries) EXPECT_EQ(s.rounds_trained, 3);
  EXPECT_GT(live.server->history().back().accuracy, 0.85);
}

TEST(FlHttp, HttpsWithAConfiguredCertificate) {
  TempDir dir;
  const std::string cert = (dir.path() / "cert.pem").string(), key = (dir.path() / "key.pem").string();
  const std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                              "-addext subjectAltName=IP:127.0.0.1 -keyout " + key + " -out " + cert + " 2>/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  Dataset data = testing::digits();
  ServerConfig config = config_for(1);
  config.rounds = 1;
  HttpServerOptions options;
  options.cert_file = cert;
  options.key_file = key;
  LiveServer live(data, config, options);
  const std::string url = "https://127.0.0.1:" + std::to_string(live.http->port());

  std::filesystem::path csv = dir.path() / "client.csv";
  write_rows(csv, 0, 300);
  HttpClientOptions client;
  client.url = url;
  client.secret = "s3cret";
  client.data = csv;
  client.ca_cert = cert;
  client.poll_seconds = 0.05;
  EXPECT_EQ(run_http_client(client, nullptr).rounds_trained, 1);

  // Plain HTTP to the HTTPS port, or HTTPS without trusting the certificate, gets nowhere.
  httplib::Client plain("http://127.0.0.1:" + std::to_string(live.http->port()));
  EXPECT_FALSE(plain.Get("/v1/status"));
  client.ca_cert = "";
  client.retry_seconds = 0.5;
  EXPECT_THROW(run_http_client(client, nullptr), Error);
}

TEST(FlHttp, AnUnusableCertificateIsAClearError) {
  TempDir dir;
  Dataset data = testing::digits();
  FlServer server(testing::digits_model(data), config_for(1), std::nullopt, wall_clock);
  HttpServerOptions options;
  options.cert_file = dir.write("cert.pem", "not a certificate").string();
  options.key_file = dir.write("key.pem", "not a key").string();
  EXPECT_THROW(FlHttpServer(server, options), Error);
}

}  // namespace
}  // namespace tinymlops::fl

// The malformed-request suite: every bad request gets a 4xx with a JSON
// {"error": ...} naming the problem, never a 5xx, and the server stays healthy.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>

#include "serve/serve_fixtures.h"
#include "tinymlops/serve/server.h"

namespace tinymlops::serve {
namespace {

struct BadRequest {
  const char* name;
  const char* method;
  std::string path, content_type, body;
  int status;
  std::string error_part;  // expected in the "error" text
};

std::string row_of(int values, const std::string& cell = "1") {
  std::string row = "[";
  for (int i = 0; i < values; ++i) row += (i ? "," : "") + cell;
  return row + "]";
}

std::string floats(std::vector<float> values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
}

// Sends `bytes` on a new connection and returns what comes back, at least the status line.
std::string raw_exchange(int port, const std::string& bytes) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string reply;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::send(fd, bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size())) {
    timeval timeout{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    char buffer[4096];
    ssize_t n = 0;
    while (reply.find("\r\n") == std::string::npos && (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0) {
      reply.append(buffer, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return reply;
}

TEST(MalformedRequests, AllGet4xxWithAJsonErrorAndTheServerStaysHealthy) {
  ServerOptions options;
  options.port = 0;
  options.reload_interval_seconds = 0;
  options.max_body_bytes = 16 * 1024;
  options.max_rows = 4;
  InferenceServer server(file_model_source(testing::digits_models().edge), options);
  const std::string good_row = row_of(64);
  std::vector<float> nan_row(64, 1.f);
  nan_row[5] = NAN;
  const std::vector<BadRequest> cases = {
      {"bad JSON", "POST", "/v1/predict", "application/json", "{\"rows\": [[1,2", 400, "not JSON"},
      {"not an object", "POST", "/v1/predict", "application/json", "[[1,2,3]]", 400, "expected {\"rows\""},
      {"row not a list", "POST", "/v1/predict", "application/json", "{\"rows\": [5]}", 400, "rows[0] is not a list"},
      {"wrong width", "POST", "/v1/predict", "application/json", "{\"rows\": [" + row_of(63) + "]}", 422,
       "rows[0] has 63 values; the model takes 64"},
      {"second row too wide", "POST", "/v1/predict", "application/json",
       "{\"rows\": [" + good_row + "," + row_of(65) + "]}", 422, "rows[1] has 65 values"},
      {"string cell", "POST", "/v1/predict", "application/json", "{\"rows\": [" + row_of(64, "\"x\"") + "]}", 400,
       "rows[0][0] is not a finite number"},
      {"NaN literal", "POST", "/v1/predict", "application/json", "{\"rows\": [" + row_of(64, "NaN") + "]}", 400,
       "not JSON"},
      {"null cell", "POST", "/v1/predict", "application/json", "{\"rows\": [" + row_of(64, "null") + "]}", 400,
       "not a finite number"},
      {"huge number", "POST", "/v1/predict", "application/json", "{\"rows\": [" + row_of(64, "1e999") + "]}", 400,
       "unreadable JSON"},
      {"empty body", "POST", "/v1/predict", "application/json", "", 400, "not JSON"},
      {"no rows", "POST", "/v1/predict", "application/json", "{\"rows\": []}", 422, "no rows"},
      {"too many rows", "POST", "/v1/predict", "application/json",
       "{\"rows\": [" + good_row + "," + good_row + "," + good_row + "," + good_row + "," + good_row + "]}", 422,
       "at most 4"},
      {"binary NaN", "POST", "/v1/predict", "application/octet-stream", floats(nan_row), 400, "rows[0][5]"},
      {"binary odd length", "POST", "/v1/predict", "application/octet-stream", std::string(7, '\0'), 400,
       "not a whole number of float32"},
      {"binary wrong width", "POST", "/v1/predict", "application/octet-stream", floats(std::vector<float>(63, 1.f)),
       422, "rows of 64"},
      {"binary empty", "POST", "/v1/predict", "application/octet-stream", "", 422, "no rows"},
      {"oversize body", "POST", "/v1/predict", "application/json", std::string(20000, ' '), 413, "over 16384 bytes"},
      {"text content type", "POST", "/v1/predict", "text/plain", "{\"rows\": [" + good_row + "]}", 415,
       "application/json"},
      {"form content type", "POST", "/v1/predict", "application/x-www-form-urlencoded", "rows=1", 415,
       "'application/x-www-form-urlencoded' not accepted"},
      {"unknown path", "GET", "/v2/predict", "", "", 404, "no route /v2/predict"},
      {"unknown path post", "POST", "/predict", "application/json", "{}", 404, "no route"},
      {"GET predict", "GET", "/v1/predict", "", "", 405, "use POST"},
      {"POST healthz", "POST", "/healthz", "application/json", "{}", 405, "use GET"},
      {"DELETE model", "DELETE", "/v1/model", "", "", 405, "use GET"},
      {"PUT metrics", "PUT", "/metrics", "text/plain", "x", 405, "use GET"},
  };
  auto client = testing::local_client(server.port());
  for (const BadRequest& c : cases) {
    SCOPED_TRACE(c.name);
    httplib::Request req;
    req.method = c.method;
    req.path = c.path;
    if (!c.content_type.empty()) req.set_header("Content-Type", c.content_type);
    req.body = c.body;
    httplib::Result res = client->send(req);
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, c.status) << res->body;
    nlohmann::json body;
    ASSERT_NO_THROW(body = nlohmann::json::parse(res->body)) << res->body;
    ASSERT_TRUE(body.contains("error")) << res->body;
    EXPECT_NE(body["error"].get<std::string>().find(c.error_part), std::string::npos) << res->body;
  }
  // Bytes that are not HTTP at all, on a socket of their own.
  EXPECT_EQ(raw_exchange(server.port(), "GARBAGE\r\n\r\n").substr(0, 12), "HTTP/1.1 400");
  httplib::Result health = client->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  httplib::Result ok = client->Post("/v1/predict", "{\"rows\": [" + good_row + "]}", "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  // Counted once the answer is written, so possibly just after the client has it.
  const int64_t expected_errors = static_cast<int64_t>(cases.size()) + 1;
  EXPECT_TRUE(testing::eventually([&] { return server.metrics().errors() == expected_errors; }))
      << server.metrics().errors() << " errors counted, expected " << expected_errors;
  for (int code : {500, 502, 503}) EXPECT_EQ(server.metrics().requests("/v1/predict", code), 0);
}

}  // namespace
}  // namespace tinymlops::serve

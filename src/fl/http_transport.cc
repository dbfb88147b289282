#include "tinymlops/fl/http_transport.h"

#include <httplib.h>

#include <chrono>
#include <thread>

#include "tinymlops/core/error.h"
#include "tinymlops/core/socket_options.h"
#include "tinymlops/fl/client.h"
#include "tinymlops/nn/model_file.h"
#include "tinymlops/nn/evaluate_job.h"

namespace tinymlops::fl {
namespace {

using Seconds = std::chrono::duration<double>;

double now_seconds() { return Seconds(std::chrono::steady_clock::now().time_since_epoch()).count(); }

void reply_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(nlohmann::json{{"error", message}}.dump(), "application/json");
}

int status_of(const Error& e) { return e.kind() == ErrorKind::kFormat ? 400 : e.kind() == ErrorKind::kInvalid ? 422 : 500; }

std::string bearer_token(const httplib::Request& req) {
  const std::string header = req.get_header_value("Authorization");
  const std::string prefix = "Bearer ";
  return header.rfind(prefix, 0) == 0 ? header.substr(prefix.size()) : "";
}

}  // namespace

struct FlHttpServer::Impl {
  std::unique_ptr<httplib::Server> http;
  std::thread listener;
  std::mutex log_mutex;
  std::vector<std::string> log;  // transport notes for on_message
};

FlHttpServer::FlHttpServer(FlServer& server, HttpServerOptions options) : impl_(std::make_unique<Impl>()) {
  if (!options.cert_file.empty() || !options.key_file.empty()) {
    auto https = std::make_unique<httplib::SSLServer>(options.cert_file.c_str(), options.key_file.c_str());
    if (!https->is_valid()) {
      throw Error(ErrorKind::kInvalid, options.cert_file, "cannot use this certificate and key (" + options.key_file + ")");
    }
    impl_->http = std::move(https);
  } else {
    impl_->http = std::make_unique<httplib::Server>();
  }
  httplib::Server& http = *impl_->http;
  size_t max_body = options.max_body_bytes;
  if (max_body == 0) max_body = kUpdateHeaderBytes + static_cast<size_t>(4 * server.global_model().parameter_count()) + 4096;
  http.set_payload_max_length(max_body);
  http.set_socket_options(reuse_address_only);

  // Authenticates the request; on failure replies 401 and returns "".
  auto client_of = [&server](const httplib::Request& req, httplib::Response& res) -> std::string {
    try {
      return server.authenticate(bearer_token(req));
    } catch (const Error& e) {
      reply_error(res, 401, e.message());
      return "";
    }
  };
  http.Post("/v1/register", [&server](const httplib::Request& req, httplib::Response& res) {
    try {
      nlohmann::json body = nlohmann::json::parse(req.body);
      Registration reg = server.register_client(body.at("name").get<std::string>(), body.value("secret", ""));
      res.set_content(nlohmann::json{{"client_id", reg.client_id}, {"token", reg.token}, {"protocol", kProtocolVersion}}.dump(),
                      "application/json");
    } catch (const nlohmann::json::exception& e) {
      reply_error(res, 400, std::string("bad registration: ") + e.what());
    } catch (const Error& e) {
      reply_error(res, 403, e.message());
    }
  });
  http.Get("/v1/task", [&server, client_of](const httplib::Request& req, httplib::Response& res) {
    std::string client = client_of(req, res);
    if (client.empty()) return;
    res.set_content(task_to_json(server.task_for(client)).dump(), "application/json");
  });
  http.Get("/v1/model", [&server, client_of](const httplib::Request& req, httplib::Response& res) {
    if (client_of(req, res).empty()) return;
    res.set_content(server.model_bytes(), "application/octet-stream");
  });
  http.Post("/v1/update", [&server, client_of](const httplib::Request& req, httplib::Response& res) {
    std::string client = client_of(req, res);
    if (client.empty()) return;
    try {
      server.submit(client, req.body);
      res.set_content(R"({"accepted":true})", "application/json");
    } catch (const Error& e) {
      reply_error(res, status_of(e), e.what());
    }
  });
  http.Get("/v1/status", [&server](const httplib::Request&, httplib::Response& res) {
    nlohmann::json rounds = nlohmann::json::array();
    for (const RoundRecord& r : server.history()) {
      rounds.push_back({{"round", r.round}, {"counted", r.counted}, {"accepted", r.accepted}, {"accuracy", r.accuracy}});
    }
    res.set_content(nlohmann::json{{"round", server.current_round()}, {"done", server.done()}, {"rounds", rounds}}.dump(),
                    "application/json");
  });

  port_ = options.port == 0 ? http.bind_to_any_port(options.host) : (http.bind_to_port(options.host, options.port) ? options.port : -1);
  if (port_ <= 0) {
    throw Error(ErrorKind::kIo, options.host + ":" + std::to_string(options.port), "cannot listen (address in use?)");
  }
  impl_->listener = std::thread([this] { impl_->http->listen_after_bind(); });
  tick_ = options.tick_seconds;
  linger_ = options.linger_seconds;
  server_ = &server;
}

FlHttpServer::~FlHttpServer() {
  impl_->http->stop();
  if (impl_->listener.joinable()) impl_->listener.join();
}

void FlHttpServer::run(const std::function<void(const RoundRecord&)>& on_round,
                       const std::function<void(const std::string&)>& on_message) {
  size_t rejections_seen = server_->rejections().size();
  double done_at = -1;
  while (!stopping_) {
    if (std::optional<RoundRecord> record = server_->advance()) on_round(*record);
    std::vector<std::string> rejections = server_->rejections();
    for (; rejections_seen < rejections.size(); ++rejections_seen) on_message("rejected: " + rejections[rejections_seen]);
    if (server_->done()) {
      if (done_at < 0) done_at = now_seconds();
      if (now_seconds() - done_at >= linger_) break;
    }
    std::this_thread::sleep_for(Seconds(tick_));
  }
  impl_->http->stop();
  if (impl_->listener.joinable()) impl_->listener.join();
}

ClientSummary run_http_client(const HttpClientOptions& options, Progress* progress) {
  httplib::Client http(options.url);
  if (!options.ca_cert.empty()) http.set_ca_cert_path(options.ca_cert.c_str());
  http.set_connection_timeout(2, 0);
  http.set_read_timeout(60, 0);
  http.set_write_timeout(60, 0);
  auto say = [&](const std::string& text) {
    if (progress) progress->message(text);
  };

  // Sends one request, retrying while the server is unreachable (it may be restarting).
  double unreachable_since = -1;
  auto send = [&](const std::function<httplib::Result()>& request) -> httplib::Response {
    for (;;) {
      httplib::Result result = request();
      if (result) return *result;
      if (unreachable_since < 0) unreachable_since = now_seconds();
      if (now_seconds() - unreachable_since > options.retry_seconds) {
        throw Error(ErrorKind::kIo, options.url, "server unreachable for " + std::to_string(int(options.retry_seconds)) +
                                                     " s (" + httplib::to_string(result.error()) + ")");
      }
      std::this_thread::sleep_for(Seconds(options.poll_seconds));
    }
  };
  auto body_json = [&](const httplib::Response& res, const std::string& what) {
    try {
      return nlohmann::json::parse(res.body);
    } catch (const nlohmann::json::exception&) {
      throw Error(ErrorKind::kFormat, options.url + what, "HTTP " + std::to_string(res.status) + " with a body that is not JSON");
    }
  };

  httplib::Response reg = send([&] {
    return http.Post("/v1/register", nlohmann::json{{"name", options.name}, {"secret", options.secret}}.dump(),
                     "application/json");
  });
  nlohmann::json reg_json = body_json(reg, "/v1/register");
  if (reg.status != 200) throw Error(ErrorKind::kInvalid, options.url, "registration refused: " + reg_json.value("error", ""));
  ClientSummary summary;
  summary.client_id = reg_json.at("client_id").get<std::string>();
  http.set_bearer_token_auth(reg_json.at("token").get<std::string>().c_str());
  say("registered as " + summary.client_id);

  std::unique_ptr<ClientWorker> worker;
  std::string model_bytes;
  for (;;) {
    httplib::Response res = send([&] { return http.Get("/v1/task"); });
    unreachable_since = -1;
    if (res.status != 200) throw Error(ErrorKind::kInvalid, options.url + "/v1/task", body_json(res, "/v1/task").value("error", ""));
    RoundTask task = task_from_json(body_json(res, "/v1/task"), options.url + "/v1/task");
    if (task.state == TaskState::kDone) break;
    if (task.state == TaskState::kWait) {
      std::this_thread::sleep_for(Seconds(options.poll_seconds));
      continue;
    }
    httplib::Response model = send([&] { return http.Get("/v1/model"); });
    if (model.status != 200) continue;
    model_bytes = model.body;
    if (!worker) {
      Model m = parse_model(model_bytes, options.url + "/v1/model");
      worker = std::make_unique<ClientWorker>(summary.client_id,
                                              load_for_model(m.metadata, options.data, options.drop_bad_rows, true));
    }
    std::string update;
    try {
      update = worker->make_update(task, model_bytes);
    } catch (const Error& e) {
      say("round " + std::to_string(task.round) + ": " + e.what());
      continue;
    }
    httplib::Response sent = send([&] { return http.Post("/v1/update", update, "application/octet-stream"); });
    if (sent.status == 200) {
      ++summary.rounds_trained;
      summary.bytes_sent += static_cast<int64_t>(update.size());
      if (progress) {
        progress->event("round", {{"round", task.round}, {"bytes", static_cast<double>(update.size())}});
      }
    } else {
      say("round " + std::to_string(task.round) + ": update rejected (HTTP " + std::to_string(sent.status) + "): " +
          body_json(sent, "/v1/update").value("error", ""));
    }
  }
  return summary;
}

}  // namespace tinymlops::fl

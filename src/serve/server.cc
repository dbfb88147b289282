#include "tinymlops/serve/server.h"

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <thread>

#include "serve/served_model.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/socket_options.h"
#include "tinymlops/serve/predict_api.h"
// After Eigen: <resolv.h> (via httplib.h) defines a macro _res that Eigen uses as a name.
#include <httplib.h>

#include "serve/http_reply.h"

namespace tinymlops::serve {
namespace {

using Clock = std::chrono::steady_clock;

const char* const kRoutes[] = {"/v1/predict", "/v1/model", "/healthz", "/metrics"};

// The path label of a request: its route, or "other" (bounded label values).
std::string route_label(const std::string& path) {
  for (const char* route : kRoutes) {
    if (path == route) return route;
  }
  return "other";
}

// "application/json; charset=utf-8" -> "application/json".
std::string media_type(const std::string& content_type) {
  std::string type = content_type.substr(0, content_type.find(';'));
  type.erase(std::remove_if(type.begin(), type.end(), [](unsigned char c) { return std::isspace(c); }), type.end());
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return type;
}

std::string short_hash(const std::string& sha256) { return sha256.substr(0, 12); }

}  // namespace

struct InferenceServer::Impl {
  ServerOptions options;
  std::unique_ptr<ModelSource> source;
  std::atomic<std::shared_ptr<ServedModel>> model;
  ServerMetrics metrics;
  httplib::Server http;
  int port = -1;
  std::thread listener, reloader;
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopping{false};
  std::atomic<bool> listen_returned{false};
  std::mutex reload_mutex;         // the source is used by one thread at a time
  std::string last_failure;        // guarded by reload_mutex: a repeated failure is reported once
  std::mutex stop_mutex;           // with stop_cv: wakes the reload thread to stop
  std::condition_variable stop_cv;
  bool stopped = false;            // guarded by stop_mutex

  void message(const std::string& text) const {
    if (options.on_message) options.on_message(text);
  }

  void add_routes();
  void predict(const httplib::Request& req, httplib::Response& res);
  bool reload();
  void reload_loop();
};

void InferenceServer::Impl::predict(const httplib::Request& req, httplib::Response& res) {
  const std::string type = media_type(req.get_header_value("Content-Type"));
  const bool json = type == "application/json";
  if (!json && type != "application/octet-stream") {
    reply_error(res, 415,
                "Content-Type '" + req.get_header_value("Content-Type") +
                    "' not accepted; send application/json ({\"rows\": [[...]]}) or application/octet-stream (float32 rows)");
    return;
  }
  // Admission control: at most max_concurrent predictions at once.
  const int running = ++in_flight;
  struct Release {
    Impl* impl;
    ~Release() { impl->metrics.set_in_flight(--impl->in_flight); }
  } release{this};
  metrics.set_in_flight(running);
  if (running > options.max_concurrent) {
    res.set_header("Retry-After", "1");
    reply_error(res, 429, "busy: " + std::to_string(options.max_concurrent) + " predictions already running; retry later");
    return;
  }
  const Clock::time_point start = Clock::now();
  // This request keeps the model it starts with, even if a reload swaps in another.
  const std::shared_ptr<ServedModel> served = model.load();
  Matrix rows;
  try {
    rows = json ? parse_rows_json(req.body, served->width(), options.max_rows, "request body")
                : parse_rows_binary(req.body, served->width(), options.max_rows, "request body");
  } catch (const Error& e) {
    reply_error(res, e.kind() == ErrorKind::kInvalid ? 422 : 400, e.what());
    return;
  }
  if (options.before_predict) options.before_predict();
  const Matrix outputs = served->predict(rows);
  res.set_header("X-Model-Sha256", served->snapshot().sha256);
  res.set_content(predictions_json(to_predictions(served->metadata(), outputs)), "application/json");
  metrics.observe_predict(std::chrono::duration<double>(Clock::now() - start).count(), rows.rows());
}

void InferenceServer::Impl::add_routes() {
  http.Post("/v1/predict", [this](const httplib::Request& req, httplib::Response& res) { predict(req, res); });
  http.Get("/v1/model", [this](const httplib::Request&, httplib::Response& res) {
    nlohmann::ordered_json info = model.load()->info();
    info["reloads"] = metrics.reloads();
    info["max_rows"] = options.max_rows;
    info["max_body_bytes"] = options.max_body_bytes;
    res.set_content(info.dump(), "application/json");
  });
  http.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    if (stopping) {
      res.status = 503;
      res.set_content(R"({"status":"stopping"})", "application/json");
      return;
    }
    res.set_content(nlohmann::json{{"status", "ok"}, {"sha256", model.load()->snapshot().sha256}}.dump(),
                    "application/json");
  });
  http.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    const ModelSnapshot& s = model.load()->snapshot();
    res.set_content(metrics.prometheus_text({s.sha256, s.version > 0 ? std::to_string(s.version) : "", source->describe()}),
                    "text/plain; version=0.0.4; charset=utf-8");
  });
  // The other methods on known routes: 405 naming the allowed one.
  for (const char* route : kRoutes) {
    const bool post = std::string(route) == "/v1/predict";
    auto not_allowed = [post](const httplib::Request& req, httplib::Response& res) {
      res.set_header("Allow", post ? "POST" : "GET");
      reply_error(res, 405, req.method + " " + req.path + " not allowed; use " + (post ? "POST" : "GET"));
    };
    if (post) {
      http.Get(route, not_allowed);
    } else {
      http.Post(route, not_allowed);
    }
    http.Put(route, not_allowed);
    http.Patch(route, not_allowed);
    http.Delete(route, not_allowed);
  }
  // Errors raised by the library itself (404, 413, 400) get a JSON body too.
  http.set_error_handler(httplib::Server::HandlerWithResponse([this](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    std::string text;
    switch (res.status) {
      case 404: text = "no route " + req.path + "; routes: POST /v1/predict, GET /v1/model, /healthz, /metrics"; break;
      case 413: text = "request body over " + std::to_string(options.max_body_bytes) + " bytes"; break;
      default: text = "malformed request (HTTP " + std::to_string(res.status) + ")";
    }
    reply_error(res, res.status, text);
    return httplib::Server::HandlerResponse::Handled;
  }));
  http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
    std::string text = "internal error";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      text += std::string(": ") + e.what();
    } catch (...) {
    }
    reply_error(res, 500, text);
  });
  http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    metrics.count_request(route_label(req.path), res.status);
  });
}

bool InferenceServer::Impl::reload() {
  std::lock_guard lock(reload_mutex);
  try {
    std::optional<ModelSnapshot> snapshot = source->poll(model.load()->snapshot().sha256);
    if (!snapshot) return false;
    auto next = std::make_shared<ServedModel>(std::move(*snapshot));  // loaded fully before the swap
    model.store(next);
    metrics.count_reload(true);
    last_failure.clear();
    message("reloaded " + next->snapshot().origin + " (sha256 " + short_hash(next->snapshot().sha256) + ")");
    return true;
  } catch (const std::exception& e) {
    if (e.what() != last_failure) {
      last_failure = e.what();
      metrics.count_reload(false);
      message(std::string("reload failed, still serving sha256 ") + short_hash(model.load()->snapshot().sha256) + ": " +
              e.what());
    }
    return false;
  }
}

void InferenceServer::Impl::reload_loop() {
  const auto interval = std::chrono::duration<double>(options.reload_interval_seconds);
  std::unique_lock lock(stop_mutex);
  while (!stop_cv.wait_for(lock, interval, [this] { return stopped; })) {
    lock.unlock();
    reload();
    lock.lock();
  }
}

InferenceServer::InferenceServer(std::unique_ptr<ModelSource> source, ServerOptions options)
    : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  if (options.max_concurrent < 1 || options.max_concurrent > 1024) {
    throw Error(ErrorKind::kUsage, "--max-concurrent", "must be between 1 and 1024 (a thread each)");
  }
  if (options.max_rows < 1) throw Error(ErrorKind::kUsage, "--max-rows", "must be at least 1");
  s.options = std::move(options);
  s.source = std::move(source);
  std::optional<ModelSnapshot> first = s.source->poll("");
  if (!first) throw Error(ErrorKind::kIo, s.source->describe(), "no model to serve");
  s.model.store(std::make_shared<ServedModel>(std::move(*first)));

  // Room for a few requests beyond the prediction limit, so that excess predictions
  // are answered 429 at once and /healthz and /metrics stay reachable.
  const size_t threads = static_cast<size_t>(s.options.max_concurrent) + 4;
  s.http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s.http.set_payload_max_length(s.options.max_body_bytes);
  s.http.set_keep_alive_timeout(s.options.keep_alive_seconds);
  s.http.set_keep_alive_max_count(1000);
  s.http.set_tcp_nodelay(true);  // an answer is one small write: no Nagle delay
  s.http.set_socket_options(reuse_address_only);
  s.add_routes();
  const std::string where = s.options.host + ":" + std::to_string(s.options.port);
  s.port = s.options.port == 0 ? s.http.bind_to_any_port(s.options.host)
                               : (s.http.bind_to_port(s.options.host, s.options.port) ? s.options.port : -1);
  if (s.port <= 0) throw Error(ErrorKind::kIo, where, "cannot listen (address in use?)");
  s.listener = std::thread([&s] {
    s.http.listen_after_bind();
    s.listen_returned = true;
  });
  // stop() only works once the listen loop runs.
  while (!s.http.is_running() && !s.listen_returned) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (s.options.reload_interval_seconds > 0) s.reloader = std::thread([&s] { s.reload_loop(); });
}

InferenceServer::~InferenceServer() { stop(); }

int InferenceServer::port() const { return impl_->port; }

void InferenceServer::stop() {
  Impl& s = *impl_;
  if (s.stopping.exchange(true)) return;
  {
    std::lock_guard lock(s.stop_mutex);
    s.stopped = true;
  }
  s.stop_cv.notify_all();
  if (s.reloader.joinable()) s.reloader.join();
  s.http.stop();  // closes the listening socket; the pool finishes what it has, then the listen loop returns
  if (s.listener.joinable()) s.listener.join();
}

bool InferenceServer::reload_now() { return impl_->reload(); }

const ServerMetrics& InferenceServer::metrics() const { return impl_->metrics; }

std::string InferenceServer::model_sha256() const { return impl_->model.load()->snapshot().sha256; }

}  // namespace tinymlops::serve

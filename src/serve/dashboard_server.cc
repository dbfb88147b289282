#include "tinymlops/serve/dashboard_server.h"

#include <httplib.h>
#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <functional>
#include <thread>

#include "tinymlops/core/error.h"
#include "tinymlops/core/socket_options.h"
#include "tinymlops/serve/dashboard.h"
#include "tinymlops/store/repository.h"
#include "serve/http_reply.h"

namespace tinymlops {
// ui/ as compiled in by cmake/embed_files.cmake: {file name, content}.
const std::vector<std::pair<std::string, std::string>>& dashboard_assets();
}  // namespace tinymlops

namespace tinymlops::serve {

namespace {

using Json = nlohmann::ordered_json;

// The page may load only what this server gives: no CDN, no inline script.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'";

const std::string* find_asset(const std::string& name) {
  for (const auto& [file, content] : dashboard_assets()) {
    if (file == name) return &content;
  }
  return nullptr;
}

std::string content_type_of(const std::string& name) {
  auto ends_with = [&name](const std::string& suffix) {
    return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with(".html")) return "text/html; charset=utf-8";
  if (ends_with(".js")) return "text/javascript; charset=utf-8";
  if (ends_with(".css")) return "text/css; charset=utf-8";
  return "application/octet-stream";
}

void reply_json(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(), "application/json");
}

// A query parameter that must be there; nullptr (after a 400 reply) when it is not.
const std::string* required_param(const httplib::Request& req, httplib::Response& res, const char* name,
                                  std::string& storage) {
  if (!req.has_param(name) || req.get_param_value(name).empty()) {
    reply_error(res, 400, std::string("missing query parameter \"") + name + "\"");
    return nullptr;
  }
  storage = req.get_param_value(name);
  return &storage;
}

// Runs `produce` and replies with its JSON, or with the error it throws.
void answer(httplib::Response& res, const std::function<Json()>& produce) {
  try {
    reply_json(res, 200, produce());
  } catch (const Error& e) {
    reply_error(res, 400, e.what());
  } catch (const std::exception& e) {
    reply_error(res, 500, std::string("internal error: ") + e.what());
  }
}

}  // namespace

struct DashboardServer::Impl {
  DashboardOptions options;
  DashboardData data;
  httplib::Server http;
  std::thread listener;
  bool started = false;

  explicit Impl(DashboardOptions o) : options(std::move(o)), data(options.project_root) {}
  void add_routes();
};

void DashboardServer::Impl::add_routes() {
  http.set_socket_options(reuse_address_only);
  http.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Content-Security-Policy", kContentSecurityPolicy);
    res.set_header("X-Content-Type-Options", "nosniff");
    if (req.method == "GET" || req.method == "HEAD") return httplib::Server::HandlerResponse::Unhandled;
    reply_error(res, 405, "the dashboard is read-only: " + req.method + " is not allowed");
    res.set_header("Allow", "GET, HEAD");
    return httplib::Server::HandlerResponse::Handled;
  });
  http.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(*find_asset("index.html"), content_type_of("index.html"));
  });
  http.Get(R"(/assets/([A-Za-z0-9_.-]+))", [](const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.matches[1].str();
    const std::string* asset = name == "index.html" ? nullptr : find_asset(name);
    if (asset == nullptr) return reply_error(res, 404, "no asset " + name);
    res.set_content(*asset, content_type_of(name));
  });
  http.Get("/api/project", [this](const httplib::Request&, httplib::Response& res) {
    answer(res, [this] { return data.project(); });
  });
  http.Get("/api/experiments", [this](const httplib::Request&, httplib::Response& res) {
    answer(res, [this] { return data.experiments(); });
  });
  http.Get("/api/compare", [this](const httplib::Request& req, httplib::Response& res) {
    std::string a, b;
    if (!required_param(req, res, "a", a) || !required_param(req, res, "b", b)) return;
    answer(res, [&] { return data.compare(a, b); });
  });
  http.Get("/api/curves", [this](const httplib::Request&, httplib::Response& res) {
    answer(res, [this] { return data.curves(); });
  });
  http.Get("/api/models", [this](const httplib::Request&, httplib::Response& res) {
    answer(res, [this] { return data.models(); });
  });
  http.Get("/api/lineage", [this](const httplib::Request& req, httplib::Response& res) {
    std::string ref;
    if (!required_param(req, res, "ref", ref)) return;
    answer(res, [&] { return data.lineage(ref); });
  });
  http.Get("/api/compression", [this](const httplib::Request& req, httplib::Response& res) {
    std::string model;
    if (!required_param(req, res, "model", model)) return;
    answer(res, [&] { return data.compression(model); });
  });
  http.Get(".*", [](const httplib::Request& req, httplib::Response& res) {
    reply_error(res, 404, "no such page: " + req.path);
  });
}

DashboardServer::DashboardServer(DashboardOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  impl_->add_routes();
}

DashboardServer::~DashboardServer() { stop(); }

int DashboardServer::start() {
  if (impl_->started) throw Error(ErrorKind::kUsage, "", "the dashboard server was started already");
  const DashboardOptions& o = impl_->options;
  const int port = o.port == 0 ? impl_->http.bind_to_any_port(o.host)
                               : (impl_->http.bind_to_port(o.host, o.port) ? o.port : -1);
  if (port < 0) throw Error(ErrorKind::kIo, o.host + ":" + std::to_string(o.port), "cannot listen (address in use?)");
  impl_->started = true;
  impl_->listener = std::thread([this] { impl_->http.listen_after_bind(); });
  // stop() only reaches a server that is running: wait until it is.
  while (!impl_->http.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return port;
}

void DashboardServer::stop() {
  if (!impl_->started) return;
  impl_->http.stop();
  if (impl_->listener.joinable()) impl_->listener.join();
  impl_->started = false;
}

void run_dashboard_until_signal(const DashboardOptions& options, std::ostream& out) {
  const store::Repository repo = store::Repository::open(options.project_root);  // fails early outside a project
  // Block the signals here, so the server's threads inherit the mask and only
  // sigwait below takes them.
  sigset_t signals, previous;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, &previous);
  int received = 0;
  {
    DashboardServer server(options);
    const int port = server.start();
    out << "tinymlops ui: http://" << options.host << ":" << port << "/ (project " << repo.root().string()
        << ", read-only; Ctrl-C stops)" << std::endl;
    sigwait(&signals, &received);
    server.stop();
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

}  // namespace tinymlops::serve

// The federated protocol (fl/protocol.h) over HTTP, with cpp-httplib; HTTPS when a
// certificate and key are configured.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "tinymlops/core/progress.h"
#include "tinymlops/fl/server.h"

namespace tinymlops::fl {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;                    // 0: any free port (see FlHttpServer::port)
  std::string cert_file, key_file; // both set: HTTPS
  size_t max_body_bytes = 0;       // request bodies above it get 413; 0: a float32 update plus 4 KiB
  double tick_seconds = 0.05;      // how often rounds are opened and closed
  double linger_seconds = 2;       // after the last round, keep answering "done" this long
};

class FlHttpServer {
 public:
  // Binds at once; throws Error(kIo) when the address is taken.
  FlHttpServer(FlServer& server, HttpServerOptions options);
  ~FlHttpServer();

  int port() const { return port_; }

  // Serves until the server is done (and the linger has passed) or stop() is
  // called. on_round gets every closed round, on_message every rejection and
  // transport note; both run on the calling thread.
  void run(const std::function<void(const RoundRecord&)>& on_round,
           const std::function<void(const std::string&)>& on_message);
  void stop() { stopping_ = true; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  FlServer* server_ = nullptr;
  int port_ = 0;
  double tick_ = 0.05, linger_ = 2;
  std::atomic<bool> stopping_{false};
};

struct HttpClientOptions {
  std::string url;                 // "http://127.0.0.1:8080" or "https://..."
  std::string name;                // shown in the server's records
  std::string secret;              // enrollment secret
  std::string ca_cert;             // HTTPS: CA file to verify the server with ("" = system)
  std::filesystem::path data;      // the client's own CSV (the model's columns)
  bool drop_bad_rows = false;
  double poll_seconds = 0.2;       // between task requests while waiting
  double retry_seconds = 30;       // give up when the server is unreachable this long
};

struct ClientSummary {
  std::string client_id;
  int rounds_trained = 0;
  int64_t bytes_sent = 0;
};

// Registers, then loops: ask for a task, train and send an update when told,
// wait otherwise, stop on "done". Survives a server restart (retries until
// retry_seconds). A rejected update is reported and the loop goes on. Throws
// Error(kIo) when the server stays unreachable, Error(kInvalid) when it refuses
// the registration.
ClientSummary run_http_client(const HttpClientOptions& options, Progress* progress);

}  // namespace tinymlops::fl

// The HTTP inference server (`tinymlops serve`; docs/serving.md).
//
// Routes:
//   POST /v1/predict  rows in (JSON or binary float32, predict_api.h), predictions out
//   GET  /v1/model    the model: source, sha256, registry version, task, width, labels
//   GET  /healthz     {"status": "ok", "sha256": ...}
//   GET  /metrics     Prometheus text format 0.0.4 (metrics.h)
// Bad input is answered 4xx with {"error": "<one line naming the problem>"}, never
// 5xx: 400 malformed body, 404 unknown path, 405 wrong method, 413 body over
// max_body_bytes, 415 content type other than JSON or octet-stream, 422 rows of
// the wrong width or too many rows, 429 (with Retry-After) when max_concurrent
// predictions are already running. GET /healthz answers 503 while shutting down.
//
// Hot reload: a thread polls the ModelSource every reload_interval_seconds; a new
// version is loaded completely, then swapped in atomically. A request keeps the
// model it started with (shared ownership), so in-flight requests finish on the old
// version and none is dropped. A version that fails to load is reported and the
// old one keeps serving.
//
// Example:
//
//   serve::InferenceServer server(serve::file_model_source("digits.tmlm"), {.port = 0});
//   int port = server.port();   // listening now, on a thread of its own
//   ...
//   server.stop();              // stop accepting, finish in-flight requests
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "tinymlops/serve/metrics.h"
#include "tinymlops/serve/model_source.h"

namespace tinymlops::serve {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                        // 0: any free port (see port())
  size_t max_body_bytes = 1 << 20;        // larger request bodies get 413
  size_t max_rows = 1024;                 // rows per request; more get 422
  int max_concurrent = 16;                // predictions at once (1..1024); more get 429
  double reload_interval_seconds = 1.0;   // how often the source is polled; 0: never
  int keep_alive_seconds = 2;             // idle keep-alive connections are closed after this
  // Reload notes and failures, one line each ("reloaded digits@3 (sha256 1a2b3c...)");
  // called from the reload thread. May be empty.
  std::function<void(const std::string&)> on_message;
  // For tests of the admission control: called inside the admission slot of every
  // prediction, before the model runs. Empty in normal use.
  std::function<void()> before_predict;
};

class InferenceServer {
 public:
  // Loads the source's current model (throws its Error when it cannot be read or
  // loaded), binds host:port (Error(kIo) when it cannot) and starts serving on
  // threads of its own.
  InferenceServer(std::unique_ptr<ModelSource> source, ServerOptions options);
  // stop().
  ~InferenceServer();
  InferenceServer(const InferenceServer&) = delete;
  InferenceServer& operator=(const InferenceServer&) = delete;

  int port() const;
  // Graceful: closes the listening socket, finishes the requests being handled
  // (their connections close after the answer), waits for them, stops the reload
  // thread. Idempotent.
  void stop();
  // Polls the source now, as the reload thread does; true when a new version was
  // swapped in. Throws nothing: failures are counted and reported via on_message.
  bool reload_now();

  const ServerMetrics& metrics() const;
  // The sha256 of the model serving new requests now.
  std::string model_sha256() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs a server until SIGTERM or SIGINT, then stops it gracefully and returns.
// Blocks both signals in the calling thread first (so every server thread inherits
// the mask and the signal is taken here by sigwait); call it before starting other
// threads. `on_ready` gets the bound port once the server is listening.
void serve_until_signal(std::unique_ptr<ModelSource> source, ServerOptions options,
                        const std::function<void(const InferenceServer&)>& on_ready);

}  // namespace tinymlops::serve

// The web dashboard of `tinymlops ui` (docs/dashboard.md): an HTTP server giving
// the page (ui/ at the repository root, compiled into the binary with the charting
// library, so nothing is fetched from elsewhere) and the JSON of dashboard.h.
//
// Routes (GET only; any other method is 405: the dashboard is read-only):
//   /                         the page (index.html)
//   /assets/FILE              app.js, style.css, chart.umd.min.js
//   /api/project              DashboardData::project()
//   /api/experiments          DashboardData::experiments()
//   /api/compare?a=A&b=B      DashboardData::compare(A, B)
//   /api/curves               DashboardData::curves()
//   /api/models               DashboardData::models()
//   /api/lineage?ref=REF      DashboardData::lineage(REF)
//   /api/compression?model=M  DashboardData::compression(M)
// Errors are JSON {"error": "one line"}: 400 for a missing query parameter or a
// tinymlops::Error of the request (an unknown experiment or model), 404 for an
// unknown path, 500 for anything else.
//
// Example:
//
//   serve::DashboardServer server({.project_root = ".", .port = 0});
//   int port = server.start();     // answering on a background thread
//   ...                            // http://127.0.0.1:<port>/
//   server.stop();
#pragma once

#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

namespace tinymlops::serve {

struct DashboardOptions {
  std::filesystem::path project_root = ".";  // inside a tinymlops project
  std::string host = "127.0.0.1";            // loopback only unless told otherwise
  int port = 8090;                           // 0: any free port
};

class DashboardServer {
 public:
  explicit DashboardServer(DashboardOptions options);
  ~DashboardServer();  // stops
  DashboardServer(const DashboardServer&) = delete;
  DashboardServer& operator=(const DashboardServer&) = delete;

  // Binds and starts answering on a background thread; returns the port. Throws
  // Error(kIo) naming HOST:PORT when the address cannot be bound, Error(kUsage)
  // when the server was started already.
  int start();
  // Stops answering (requests in flight finish) and joins the thread. Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// What `tinymlops ui` does: checks that `options.project_root` is in a project,
// starts the server, prints "tinymlops ui: http://HOST:PORT/ (project ROOT, read-only;
// Ctrl-C stops)" on `out`, and returns after SIGINT or SIGTERM, having stopped it.
// Must be called before other threads exist that would take those signals.
void run_dashboard_until_signal(const DashboardOptions& options, std::ostream& out);

}  // namespace tinymlops::serve

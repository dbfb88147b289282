// tinymlops ui: the web dashboard of the project (docs/dashboard.md).
#include <iostream>

#include "commands.h"
#include "tinymlops/serve/dashboard_server.h"

namespace tinymlops::cli {

void register_ui(CLI::App& app) {
  auto options = std::make_shared<serve::DashboardOptions>();
  CLI::App* command = app.add_subcommand("ui", "web dashboard: experiments, curves, compare, registry, compression");
  command->add_option("--port", options->port, "TCP port (default 8090; 0: any free port, printed)")
      ->check(CLI::Range(0, 65535));
  command->add_option("--host", options->host, "address to bind (default 127.0.0.1: this machine only)");
  command->footer("Example: tinymlops ui --port 8090, then open http://127.0.0.1:8090/");
  command->callback([options] { serve::run_dashboard_until_signal(*options, std::cout); });
}

}  // namespace tinymlops::cli

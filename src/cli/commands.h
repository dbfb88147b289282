// The command groups of the `tinymlops` tool. Each register_* adds its
// subcommands to the app; the callbacks parse, call the library and print.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>

#include "tinymlops/core/progress.h"

namespace tinymlops::cli {

void register_train(CLI::App& app);
void register_model_commands(CLI::App& app);  // evaluate, predict, inspect
void register_quickstart(CLI::App& app);
void register_quantize(CLI::App& app);
void register_prune(CLI::App& app);
void register_compress(CLI::App& app);
void register_cluster(CLI::App& app);

// Progress on stderr: --log-json forces JSON lines, --quiet silences; otherwise
// a bar on a terminal and JSON lines when stderr is not a terminal.
struct ProgressFlags {
  bool log_json = false;
  bool quiet = false;
  void add_to(CLI::App& command);
  std::unique_ptr<Progress> make() const;
};

}  // namespace tinymlops::cli

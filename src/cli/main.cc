// tinymlops: the command-line tool. Exit status 0 on success, 1 on an error
// (one line on stderr naming the file and place), 2 on a usage error.
#include <iostream>

#include "commands.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/version.h"

namespace tinymlops::cli {

void ProgressFlags::add_to(CLI::App& command) {
  command.add_flag("--log-json", log_json, "progress as JSON lines on stderr (default when stderr is not a terminal)");
  command.add_flag("-q,--quiet", quiet, "no progress output");
}

std::unique_ptr<Progress> ProgressFlags::make() const {
  Progress::Style style = quiet      ? Progress::Style::kSilent
                          : log_json ? Progress::Style::kJsonLines
                                     : Progress::style_for_fd(2);
  return std::make_unique<Progress>(style, &std::cerr);
}

}  // namespace tinymlops::cli

int main(int argc, char** argv) {
  CLI::App app{"tinymlops: from a CSV file to a small, verified neural network for a microcontroller."};
  app.set_version_flag("--version", std::string("tinymlops ") + tinymlops::kLibraryVersion + " (" +
                                        tinymlops::build_isa() + ")");
  app.require_subcommand(1);
  app.fallthrough(false);
  tinymlops::cli::register_train(app);
  tinymlops::cli::register_model_commands(app);
  tinymlops::cli::register_quickstart(app);
  tinymlops::cli::register_quantize(app);
  tinymlops::cli::register_prune(app);
  tinymlops::cli::register_compress(app);
  tinymlops::cli::register_cluster(app);
  tinymlops::cli::register_deploy_commands(app, argc, argv);
  tinymlops::cli::register_store_commands(app);
  tinymlops::cli::register_pipeline_commands(app);
  tinymlops::cli::register_track_commands(app);
  tinymlops::cli::register_fl_commands(app);
  tinymlops::cli::register_interop_commands(app);
  tinymlops::cli::register_serve_commands(app);
  tinymlops::cli::register_ui(app);
#ifdef TINYMLOPS_PLATE_OCR
  tinymlops::cli::register_ocr_commands(app);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "tinymlops: " << e.what() << " (see --help)\n";
    return 2;
  } catch (const tinymlops::Error& e) {
    std::cerr << "tinymlops: " << e.what() << "\n";
    return e.kind() == tinymlops::ErrorKind::kUsage ? 2 : 1;
  } catch (const std::exception& e) {
    std::cerr << "tinymlops: internal error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

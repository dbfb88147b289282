// The `ocr` command group of the license-plate OCR case study (docs/plate-ocr.md).
#include "commands.h"

namespace tinymlops::cli {

void register_ocr_commands(CLI::App& app) {
  CLI::App* ocr = app.add_subcommand("ocr", "license-plate OCR: make plates, cut characters, read and score plates");
  ocr->require_subcommand(1);
  // Each helper's subcommand is added here:
  add_ocr_crops_command(*ocr);
}

}  // namespace tinymlops::cli

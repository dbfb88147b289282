// The subcommands of `tinymlops ocr` (apps/plate-ocr/cli): each add_ocr_*
// function adds its own to the `ocr` group; register_ocr_commands (commands.h)
// creates the group.
#pragma once

#include "commands.h"

namespace tinymlops::cli {

void add_ocr_fix_command(CLI::App& ocr);        // ocr fix TEXT... [--rules FILE] [--json]
void add_ocr_make_data_command(CLI::App& ocr);  // ocr make-data (plates set)
void add_ocr_crops_command(CLI::App& ocr);      // ocr crops, ocr segment

}  // namespace tinymlops::cli

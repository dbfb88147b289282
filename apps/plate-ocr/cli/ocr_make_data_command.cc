// tinymlops ocr make-data
#include <cstdio>

#include "ocr_commands.h"
#include "plate_ocr/make_data.h"

namespace tinymlops::cli {

void add_ocr_make_data_command(CLI::App& ocr) {
  auto options = std::make_shared<PlateSetOptions>();
  auto fonts = std::make_shared<std::vector<std::string>>();
  auto progress_flags = std::make_shared<ProgressFlags>();
  CLI::App* command = ocr.add_subcommand(
      "make-data", "render a seeded set of degraded Brazilian plates (old ABC1234, Mercosul ABC1D23) with FreeType");
  command->footer(
      "Writes DIR/plates.csv (file,text,format) and DIR/plates/NNNNNN.pgm (130 x 40 px). The same options give\n"
      "the same bytes. An existing DIR is replaced only when it is a plates set made by this command.\n"
      "Degradation strength: 0 clean, 0.5 (default) realistic but readable, 1 heavy (docs/plate-ocr-data.md).\n"
      "Example:\n"
      "  tinymlops ocr make-data --out data/plates --plates 2000 --seed 7 --sheet docs/figures/plates.png");
  command->add_option("--out", options->out, "directory of the plates set to write")->required();
  command->add_option("--plates", options->plates, "number of plates, 1 to 1000000 (default 1000)");
  command->add_option("--seed", options->seed, "random seed (default 1)");
  command->add_option("--mercosul", options->mercosul_fraction, "fraction of Mercosul plates, 0 to 1 (default 0.5)");
  command->add_option("--degradation", options->degradation,
                      "strength of rotation, perspective, blur, noise, contrast and occlusion, 0 to 1 (default 0.5)");
  command->add_option("--font", *fonts,
                      "TrueType font file, repeatable; one is picked per plate (default: DejaVu Sans Bold, Sans Mono "
                      "Bold from fonts-dejavu-core, Sans Condensed Bold from fonts-dejavu-extra)");
  command->add_flag("--old-dash", options->old_dash, "old plates: a dash between the letters and the digits");
  command->add_option("--sheet", options->sheet, "also write a PNG contact sheet of the first plates");
  command->add_option("--sheet-plates", options->sheet_plates, "plates on the contact sheet (default 24)");
  progress_flags->add_to(*command);
  command->callback([options, fonts, progress_flags] {
    options->fonts.assign(fonts->begin(), fonts->end());
    auto progress = progress_flags->make();
    const PlateSetSummary summary = make_plate_set(*options, progress.get());
    std::printf("wrote %d plates (%d mercosul, %d old) to %s%s", summary.plates, summary.mercosul, summary.old,
                summary.dir.string().c_str(), summary.replaced ? ", replacing the earlier set" : "");
    if (!summary.sheet.empty()) std::printf("; contact sheet %s", summary.sheet.string().c_str());
    std::printf("\n");
  });
}

}  // namespace tinymlops::cli

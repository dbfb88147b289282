// `tinymlops ocr make-data`: a seeded set of rendered, degraded plates on disk.
//
//   PlateSetOptions options;
//   options.out = "data/plates";
//   options.plates = 2000;
//   options.seed = 7;
//   PlateSetSummary summary = make_plate_set(options, &progress);
//
// The set (the layout the OCR team agreed on, docs/plate-ocr-data.md):
//   OUT/plates.csv          header "file,text,format", one row per plate, e.g.
//                           "plates/000000.pgm,ABC1D23,mercosul"
//   OUT/plates/NNNNNN.pgm   130 x 40 binary PGM (plate_render.h, degrade.h)
// Plate i is drawn from its own generator, the i-th split of Rng(seed): its
// format (Mercosul with probability mercosul_fraction), text, look and
// degradation. The same options give the same bytes.
//
// Never a half set, never a user's directory lost:
//   1. The set is written into a temporary sibling, PARENT/.NAME.partial, marked
//      as ours by a file ".make-data-partial" (removed again when an error stops
//      the run). Leftovers of an interrupted run (.NAME.partial with the marker,
//      or a plates set at .NAME.partial or .NAME.replaced) are removed first;
//      anything else at those names is refused before any work.
//   2. All files are written and flushed to disk (one syncfs of the partial
//      directory's filesystem) before the directory is renamed into place, and
//      the parent directory is fsync'ed after the rename, so OUT either does not
//      exist, holds the old set, or holds the complete new one.
//   3. An existing OUT is replaced only when it is a plates set (a directory
//      whose plates.csv starts with the header above). It is first renamed to
//      PARENT/.NAME.replaced, the new set renamed to OUT, then the old one
//      removed. Anything else at OUT is refused with Error(kInvalid).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tinymlops/core/progress.h"

namespace tinymlops {

struct PlateSetOptions {
  std::filesystem::path out;                 // the set's directory (created; parents too)
  int plates = 1000;                         // 1 .. 1,000,000
  std::uint64_t seed = 1;
  double mercosul_fraction = 0.5;            // 0..1
  double degradation = 0.5;                  // degrade.h strength, 0..1
  std::vector<std::filesystem::path> fonts;  // empty: default_plate_fonts()
  bool old_dash = false;                     // PlateRenderOptions::old_dash
  std::filesystem::path sheet;               // if set: a PNG contact sheet of the first plates
  int sheet_plates = 24;                     // plates on the sheet (4 per row, 2x magnified)
};

struct PlateSetSummary {
  std::filesystem::path dir;
  int plates = 0;
  int mercosul = 0;
  int old = 0;
  bool replaced = false;        // an earlier plates set at `dir` was replaced
  std::filesystem::path sheet;  // empty when no sheet was asked for
};

// Writes the set. Progress (may be null): update() per plate, then an event
// "plates" with plates, mercosul and old. Throws Error(kUsage) naming the option
// for out-of-range options, Error(kInvalid) when OUT is not a plates set, and
// the font and I/O errors.
PlateSetSummary make_plate_set(const PlateSetOptions& options, Progress* progress);

// True when `dir` is a directory whose plates.csv starts with "file,text,format".
bool is_plate_set(const std::filesystem::path& dir);

}  // namespace tinymlops

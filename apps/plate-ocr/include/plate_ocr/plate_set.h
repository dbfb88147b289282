// A labelled plates set, as `ocr make-data` writes it: DIR/plates.csv with the
// header file,text,format (file relative to DIR) and the plate images (PGM).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "plate_ocr/image.h"

namespace tinymlops {

struct PlateSetEntry {
  std::string file;             // as written in plates.csv
  std::filesystem::path image;  // file resolved against the set's directory
  std::string text;             // the plate's characters, e.g. "ABC1D23"
  std::string format;           // a Brazilian format name: "old" or "mercosul"
  std::string where;            // "DIR/plates.csv:LINE", for errors about this plate
};

// Reads DIR/plates.csv. Throws Error(kIo) when it is missing, Error(kParse)
// naming the file and line for a missing column, an empty file name, an unknown
// format or a text that is not of its format, Error(kInvalid) for no plates.
std::vector<PlateSetEntry> read_plate_set(const std::filesystem::path& dir);

// read_pgm of the entry's image; errors name the entry's plates.csv line.
GrayImage read_plate_image(const PlateSetEntry& entry);

}  // namespace tinymlops

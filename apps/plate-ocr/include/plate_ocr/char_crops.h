// The character-crops CSV: training data for the plate character classifier
// (`tinymlops ocr crops`, docs/plate-ocr-segmentation.md).
//
// write_char_crops() reads a plates set (a directory with plates.csv, header
// `file,text,format`, and the PGM images it names), cuts every plate with
// segment_plate() and, for each plate cut into exactly as many characters as its
// text has, writes one row per character: the crop's pixels p0..p{W*H-1} (row-major,
// 0..255, ink high) and `char`, the character from the known text. Plates the
// segmenter fails on are counted, not written. Optionally the bundled handwritten
// digits (8x8, values 0..16) are added as extra rows for the classes 0-9, scaled
// the same way as plate characters.
//
// Example:
//   CharCropsOptions options;
//   options.digits_csv = "examples/data/digits.csv";
//   CharCropsReport r = write_char_crops("data/plates", "data/chars.csv", options, &progress);
//   // r.plates 1000, r.segmented 987, r.crops 6909 + r.digit_rows 1797 rows written
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tinymlops/core/progress.h"
#include "plate_ocr/segment.h"

namespace tinymlops {

struct CharCropsOptions {
  SegmentOptions segment;              // crop size and characters per plate
  std::filesystem::path digits_csv;    // empty: no handwritten digits
  std::string digits_label = "digit";  // the digits CSV's label column (values 0..9)
};

struct CharCropsReport {
  long plates = 0;      // rows of plates.csv
  long segmented = 0;   // plates cut into their characters
  long failures = 0;    // plates the segmenter failed on (plates - segmented)
  long crops = 0;       // rows from plates (segmented * characters per plate)
  long digit_rows = 0;  // rows from the handwritten digits
  // The first few failures (at most kMaxFailureExamples), "plates/000017.pgm: found 5
  // character columns, expected 7".
  std::vector<std::string> failure_examples;
  static constexpr std::size_t kMaxFailureExamples = 5;
};

// The header of a crops CSV for width x height crops: "p0,...,p{W*H-1},char".
std::string char_crops_header(int width, int height);

// Writes the crops CSV `out_csv` atomically (see above) and returns the counts.
// Throws Error naming the place, leaving `out_csv` untouched:
//   - kIo: plates.csv or an image cannot be read ("DIR/plates.csv:LINE: ...")
//   - kParse: plates.csv lacks the columns file, text, format, or a row is bad (empty
//     file, text not of the format `old`/`mercosul`, unknown format): "DIR/plates.csv:LINE: ..."
//   - kFormat: an image is not a PGM ("DIR/plates.csv:LINE: plates/x.pgm: ...")
//   - kParse: a digits row has a bad pixel (not 0..16) or label (not 0..9): "digits.csv:LINE:COL: ..."
//   - kInvalid: plates.csv has no rows, or no plate could be segmented
// `progress` may be null.
CharCropsReport write_char_crops(const std::filesystem::path& plates_dir, const std::filesystem::path& out_csv,
                                 const CharCropsOptions& options, Progress* progress);

}  // namespace tinymlops

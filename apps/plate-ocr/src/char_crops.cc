// The character-crops CSV from a plates set (and the bundled handwritten digits).
#include "plate_ocr/char_crops.h"

#include <cmath>

#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/data/csv.h"
#include "plate_ocr/plate_set.h"

namespace tinymlops {

namespace {

constexpr double kDigitMaxValue = 16;  // the digits set's pixels are 0..16

std::string place(const CsvTable& table, std::size_t row) {
  return table.source + ":" + std::to_string(table.line_numbers[row]);
}

// One CSV row: the crop's pixels then the character.
void append_row(std::string& out, const GrayImage& crop_image, char character) {
  for (std::uint8_t p : crop_image.pixels) {
    out += std::to_string(p);
    out += ',';
  }
  out += character;
  out += '\n';
}

// The smallest rectangle holding every pixel above 0 of `ink`, cut out; an empty
// image when there is none.
GrayImage ink_bounding_crop(const GrayImage& ink) {
  int x0 = ink.width, y0 = ink.height, x1 = -1, y1 = -1;
  for (int y = 0; y < ink.height; ++y) {
    for (int x = 0; x < ink.width; ++x) {
      if (ink.at(x, y) == 0) continue;
      x0 = std::min(x0, x), x1 = std::max(x1, x);
      y0 = std::min(y0, y), y1 = std::max(y1, y);
    }
  }
  if (x1 < 0) return GrayImage();
  return crop(ink, x0, y0, x1 - x0 + 1, y1 - y0 + 1);
}

// Appends the handwritten digits of `path` as crops; returns the number of rows.
long append_digits(std::string& out, const std::filesystem::path& path, const std::string& label,
                   const SegmentOptions& options) {
  const CsvTable table = read_csv(path);
  std::size_t label_column = table.header.size();
  for (std::size_t i = 0; i < table.header.size(); ++i)
    if (table.header[i] == label) label_column = i;
  if (label_column == table.header.size()) {
    throw Error(ErrorKind::kParse, table.source + ":" + std::to_string(table.header_line),
                "no label column '" + label + "' (see --digits-label)");
  }
  const int pixels = static_cast<int>(table.header.size()) - 1;
  const int side = static_cast<int>(std::lround(std::sqrt(static_cast<double>(pixels))));
  if (pixels < 1 || side * side != pixels) {
    throw Error(ErrorKind::kParse, table.source + ":" + std::to_string(table.header_line),
                std::to_string(pixels) + " pixel columns do not make a square image (the digits set is 8x8)");
  }
  long rows = 0;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const std::vector<std::string>& cells = table.rows[r];
    double digit = 0;
    if (!parse_number(cells[label_column], &digit) || digit != std::floor(digit) || digit < 0 || digit > 9) {
      throw Error(ErrorKind::kParse, place(table, r) + ":" + std::to_string(label_column + 1),
                  "label '" + cells[label_column] + "' is not a digit 0..9");
    }
    GrayImage ink(side, side);
    std::size_t pixel = 0;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (c == label_column) continue;
      double value = 0;
      if (!parse_number(cells[c], &value) || value < 0 || value > kDigitMaxValue) {
        throw Error(ErrorKind::kParse, place(table, r) + ":" + std::to_string(c + 1),
                    "pixel '" + cells[c] + "' is not a number 0..16");
      }
      ink.pixels[pixel++] = static_cast<std::uint8_t>(std::lround(value * 255 / kDigitMaxValue));
    }
    const GrayImage box = ink_bounding_crop(ink);
    if (box.empty()) continue;  // a blank digit teaches nothing
    append_row(out, fit_char(box, options.crop_width, options.crop_height), static_cast<char>('0' + static_cast<int>(digit)));
    ++rows;
  }
  return rows;
}

}  // namespace

std::string char_crops_header(int width, int height) {
  std::string header;
  for (int i = 0; i < width * height; ++i) header += "p" + std::to_string(i) + ",";
  return header + "char\n";
}

CharCropsReport write_char_crops(const std::filesystem::path& plates_dir, const std::filesystem::path& out_csv,
                                 const CharCropsOptions& options, Progress* progress) {
  const std::vector<PlateSetEntry> set = read_plate_set(plates_dir);
  CharCropsReport report;
  std::string out = char_crops_header(options.segment.crop_width, options.segment.crop_height);
  const long total = static_cast<long>(set.size());
  for (const PlateSetEntry& entry : set) {
    const std::string& text = entry.text;
    const GrayImage plate = read_plate_image(entry);
    SegmentOptions segment = options.segment;
    segment.expected_chars = static_cast<int>(text.size());
    const Segmentation cut = segment_plate(plate, segment);
    ++report.plates;
    if (cut.ok) {
      ++report.segmented;
      for (std::size_t i = 0; i < cut.crops.size(); ++i) append_row(out, cut.crops[i], text[i]);
      report.crops += static_cast<long>(cut.crops.size());
    } else {
      ++report.failures;
      if (report.failure_examples.size() < CharCropsReport::kMaxFailureExamples) {
        report.failure_examples.push_back(entry.file + ": " + cut.failure);
      }
    }
    if (progress) {
      progress->update(report.plates, total, "segmenting plates", {{"failures", static_cast<double>(report.failures)}});
    }
  }
  if (report.segmented == 0) {
    throw Error(ErrorKind::kInvalid, (plates_dir / "plates.csv").string(),
                "none of the " + std::to_string(report.plates) + " plates could be segmented (first: " +
                    report.failure_examples.front() + ")");
  }
  if (!options.digits_csv.empty()) {
    report.digit_rows = append_digits(out, options.digits_csv, options.digits_label, options.segment);
  }
  write_file_atomic(out_csv, out);
  if (progress) {
    progress->event("crops", {{"plates", static_cast<double>(report.plates)},
                              {"crops", static_cast<double>(report.crops)},
                              {"failures", static_cast<double>(report.failures)},
                              {"digit_rows", static_cast<double>(report.digit_rows)}});
  }
  return report;
}

}  // namespace tinymlops

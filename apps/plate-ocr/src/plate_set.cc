#include "plate_ocr/plate_set.h"

#include "tinymlops/core/error.h"
#include "tinymlops/data/csv.h"
#include "plate_ocr/plate_format.h"

namespace tinymlops {

namespace {

std::size_t column_of(const CsvTable& table, const std::string& name) {
  for (std::size_t i = 0; i < table.header.size(); ++i)
    if (table.header[i] == name) return i;
  throw Error(ErrorKind::kParse, table.source + ":" + std::to_string(table.header_line),
              "no column '" + name + "' (a plates.csv has the header file,text,format)");
}

const PlateFormat& plate_format(const std::string& name, const std::string& where) {
  for (const PlateFormat& format : brazilian_plate_formats())
    if (format.name == name) return format;
  throw Error(ErrorKind::kParse, where, "unknown plate format '" + name + "' (expected old or mercosul)");
}

}  // namespace

std::vector<PlateSetEntry> read_plate_set(const std::filesystem::path& dir) {
  const CsvTable table = read_csv(dir / "plates.csv");
  const std::size_t file_column = column_of(table, "file");
  const std::size_t text_column = column_of(table, "text");
  const std::size_t format_column = column_of(table, "format");
  if (table.rows.empty()) throw Error(ErrorKind::kInvalid, table.source, "no plates (only a header)");
  std::vector<PlateSetEntry> entries;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    PlateSetEntry entry;
    entry.where = table.source + ":" + std::to_string(table.line_numbers[r]);
    entry.file = table.rows[r][file_column];
    entry.text = table.rows[r][text_column];
    entry.format = table.rows[r][format_column];
    if (entry.file.empty()) throw Error(ErrorKind::kParse, entry.where, "empty file name");
    const PlateFormat& format = plate_format(entry.format, entry.where);
    if (!matches_format(entry.text, format)) {
      throw Error(ErrorKind::kParse, entry.where,
                  "text '" + entry.text + "' is not a " + format.name + " plate (" + format.pattern +
                      ": L a letter A-Z, N a digit)");
    }
    entry.image = dir / entry.file;
    entries.push_back(std::move(entry));
  }
  return entries;
}

GrayImage read_plate_image(const PlateSetEntry& entry) {
  try {
    return read_pgm(entry.image);
  } catch (const Error& e) {
    throw Error(e.kind(), entry.where, e.what());
  }
}

}  // namespace tinymlops

// Reading CSV text into a table of cells.
//
// The first line is the header. Fields are separated by commas; a field may be
// quoted with double quotes ("" inside quotes is one quote, and quoted fields may
// hold commas). Leading/trailing spaces around a field are trimmed. Blank lines are
// skipped. A UTF-8 byte-order mark is ignored. Lines may end in \n or \r\n.
//
// Every error names the place as "file:line:column" (1-based; column is the field
// number) or "file:line" or "file", and is thrown as Error(kParse) or Error(kIo):
//   - empty file, or a header with no fields
//   - a file that is not text (NUL bytes or invalid UTF-8)
//   - duplicate or empty header names
//   - a row with more or fewer fields than the header ("ragged row")
//   - an unterminated quoted field
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace tinymlops {

struct CsvTable {
  std::string source;                          // file name used in error locations
  std::vector<std::string> header;             // column names, in file order
  int64_t header_line = 1;                     // 1-based file line of the header
  std::vector<std::vector<std::string>> rows;  // each row has header.size() cells
  std::vector<int64_t> line_numbers;           // 1-based file line of each row
};

// Parses `text`; `source` names it in errors.
CsvTable parse_csv(std::string_view text, const std::string& source);

// Reads and parses a file. Throws Error(kIo) if it cannot be read.
CsvTable read_csv(const std::filesystem::path& path);

// Parses a numeric cell ("1", "-2.5e3", " 4 "). Returns false for anything else,
// including "", "nan", "inf" (NaN/Inf are reported separately, see dataset.h).
bool parse_number(std::string_view cell, double* value);

}  // namespace tinymlops

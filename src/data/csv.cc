// CSV parsing: a single pass over the text with an explicit field/quote state.
// Quoted fields may hold commas, doubled quotes and line breaks; a row's line
// number is the line its first field starts on.
#include "tinymlops/data/csv.h"

#include <charconv>
#include <cmath>
#include <set>

#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"

namespace tinymlops {
namespace {

std::string place(const std::string& source, int64_t line, size_t column = 0) {
  std::string out = source + ":" + std::to_string(line);
  if (column > 0) out += ":" + std::to_string(column);
  return out;
}

std::string_view trim(std::string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && (text[begin] == ' ' || text[begin] == '\t')) ++begin;
  while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
  return text.substr(begin, end - begin);
}

// Length of the valid UTF-8 sequence starting at text[i], or 0 if invalid.
size_t utf8_sequence_length(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  size_t length = 0;
  uint32_t min_code = 0;
  uint32_t code = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, min_code = 0x80, code = lead & 0x1Fu;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, min_code = 0x800, code = lead & 0x0Fu;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, min_code = 0x10000, code = lead & 0x07u;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3Fu);
  }
  if (code < min_code || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

// Throws unless `text` is NUL-free valid UTF-8, naming the first bad line.
void require_text(std::string_view text, const std::string& source) {
  int64_t line = 1;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '\0') {
      throw Error(ErrorKind::kParse, place(source, line), "not a text file (NUL byte)");
    }
    size_t length = utf8_sequence_length(text, i);
    if (length == 0) {
      throw Error(ErrorKind::kParse, place(source, line), "not a text file (invalid UTF-8)");
    }
    if (text[i] == '\n') ++line;
    i += length;
  }
}

// Splits the text into rows of raw cells; empty lines produce no row.
struct RawRow {
  std::vector<std::string> cells;
  int64_t line = 0;
};

std::vector<RawRow> split_rows(std::string_view text, const std::string& source) {
  std::vector<RawRow> rows;
  RawRow row;
  std::string cell;
  bool in_quotes = false;
  bool was_quoted = false;   // the current cell had a quoted part (kept verbatim)
  int64_t line = 1;
  row.line = line;
  int64_t quote_line = 0;
  auto end_cell = [&] {
    row.cells.push_back(was_quoted ? cell : std::string(trim(cell)));
    cell.clear();
    was_quoted = false;
  };
  // A line holding only spaces is blank and yields no row.
  auto end_row = [&] {
    bool blank = row.cells.empty() && !was_quoted && trim(cell).empty();
    if (!blank) {
      end_cell();
      rows.push_back(std::move(row));
    }
    row = RawRow{};
    cell.clear();
    was_quoted = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        if (c == '\n') ++line;
        cell += c;
      }
      continue;
    }
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    if (c == '\n') {
      end_row();
      row.line = ++line;
      continue;
    }
    if (c == ',') {
      end_cell();
    } else if (c == '"' && trim(cell).empty() && !was_quoted) {
      in_quotes = true;
      was_quoted = true;
      quote_line = line;
      cell.clear();
    } else if (was_quoted && c != ' ' && c != '\t') {
      throw Error(ErrorKind::kParse, place(source, line, row.cells.size() + 1),
                  "unexpected text after a closing quote");
    } else if (!was_quoted) {
      cell += c;
    }
  }
  if (in_quotes) {
    throw Error(ErrorKind::kParse, place(source, quote_line, row.cells.size() + 1),
                "unterminated quoted field");
  }
  end_row();
  return rows;
}

}  // namespace

CsvTable parse_csv(std::string_view text, const std::string& source) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  require_text(text, source);
  std::vector<RawRow> rows = split_rows(text, source);
  if (rows.empty()) throw Error(ErrorKind::kParse, source, "empty file (expected a header line)");

  CsvTable table;
  table.source = source;
  table.header = std::move(rows[0].cells);
  table.header_line = rows[0].line;
  std::set<std::string> seen;
  for (size_t i = 0; i < table.header.size(); ++i) {
    const std::string& name = table.header[i];
    if (name.empty()) {
      throw Error(ErrorKind::kParse, place(source, rows[0].line, i + 1), "empty column name in header");
    }
    if (!seen.insert(name).second) {
      throw Error(ErrorKind::kParse, place(source, rows[0].line, i + 1),
                  "duplicate column name '" + name + "' in header");
    }
  }
  for (size_t r = 1; r < rows.size(); ++r) {
    RawRow& row = rows[r];
    if (row.cells.size() != table.header.size()) {
      size_t column = std::min(row.cells.size(), table.header.size()) + 1;
      throw Error(ErrorKind::kParse, place(source, row.line, column),
                  "ragged row: " + std::to_string(row.cells.size()) + " fields, header has " +
                      std::to_string(table.header.size()));
    }
    table.rows.push_back(std::move(row.cells));
    table.line_numbers.push_back(row.line);
  }
  return table;
}

CsvTable read_csv(const std::filesystem::path& path) {
  return parse_csv(read_file(path), path.string());
}

bool parse_number(std::string_view cell, double* value) {
  cell = trim(cell);
  // from_chars takes no leading '+'; accept one, but not "+-1".
  bool plus = !cell.empty() && cell[0] == '+';
  if (plus) cell.remove_prefix(1);
  if (cell.empty() || (plus && (cell[0] == '-' || cell[0] == '+'))) return false;
  double parsed = 0;
  auto [end, status] = std::from_chars(cell.data(), cell.data() + cell.size(), parsed);
  if (status != std::errc() || end != cell.data() + cell.size() || !std::isfinite(parsed)) {
    return false;
  }
  *value = parsed;
  return true;
}

}  // namespace tinymlops

// Plain-text and CSV tables: the one table renderer of the reports (experiments,
// registry, pipeline stages and metrics).
#pragma once

#include <string>
#include <vector>

namespace tinymlops {

struct Table {
  std::vector<std::string> header;             // empty: no header line
  std::vector<std::vector<std::string>> rows;  // each as long as header (when there is one)
};

// Columns padded to their widest cell, two spaces apart, no trailing spaces, a
// line per row (the header first, unless it is empty).
std::string render_text(const Table& table);

// RFC 4180: cells with a comma, quote or line break are quoted, quotes doubled.
std::string render_csv(const Table& table);

}  // namespace tinymlops

// Plots files -> line charts (SVG), with deterministic bytes.
#include "tinymlops/pipeline/plots.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <sstream>

#include "pipeline/stage_state.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"

namespace tinymlops::pipeline {

namespace fs = std::filesystem;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kWidth = 640, kHeight = 360;
constexpr int kLeft = 64, kRight = 160, kTop = 36, kBottom = 44;
const char* const kColors[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                               "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};

bool parse_number(const std::string& text, double& value) {
  if (text.empty()) return false;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isfinite(value);
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') cell += '"', ++i;
      else if (c == '"') quoted = false;
      else cell += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.push_back(cell);
      cell.clear();
    } else if (c != '\r') {
      cell += c;
    }
  }
  cells.push_back(cell);
  for (std::string& s : cells) {
    s.erase(0, s.find_first_not_of(' '));
    s.erase(s.find_last_not_of(' ') + 1);
  }
  return cells;
}

// Columns of text cells (rows x columns) -> PlotData; `place(row, col)` names a cell.
template <typename Place>
PlotData to_plot(const std::vector<std::string>& names, const std::vector<std::vector<std::string>>& rows,
                 const std::string& title, const std::string& file, Place place) {
  PlotData plot;
  plot.title = title;
  if (names.empty() || rows.empty()) throw Error(ErrorKind::kInvalid, file, "no data rows to plot");
  size_t x_column = 0;
  for (size_t c = 0; c < names.size(); ++c) {
    if (names[c] == "step") x_column = c;
  }
  plot.x_name = names[x_column];
  for (size_t r = 0; r < rows.size(); ++r) {
    double x = 0;
    if (!parse_number(rows[r][x_column], x)) {
      throw Error(ErrorKind::kInvalid, place(r, x_column), "x value '" + rows[r][x_column] + "' is not a number");
    }
    plot.x.push_back(x);
  }
  for (size_t c = 0; c < names.size(); ++c) {
    if (c == x_column) continue;
    PlotSeries series{names[c], {}};
    bool numeric = true, any = false;
    for (const auto& row : rows) {
      double y = 0;
      if (row[c].empty()) series.y.push_back(kNaN);
      else if (parse_number(row[c], y)) series.y.push_back(y), any = true;
      else numeric = false;
    }
    if (numeric && any) plot.series.push_back(std::move(series));
  }
  if (plot.series.empty()) throw Error(ErrorKind::kInvalid, file, "no numeric column to plot besides '" + plot.x_name + "'");
  return plot;
}

PlotData read_csv_plot(const fs::path& file, const std::string& title) {
  std::istringstream lines(read_file(file));
  std::vector<std::string> names;
  std::vector<std::vector<std::string>> rows;
  std::vector<size_t> line_numbers;
  size_t number = 0;
  for (std::string line; std::getline(lines, line);) {
    ++number;
    if (line.empty() || line == "\r") continue;
    std::vector<std::string> cells = split_csv_line(line);
    if (names.empty()) {
      names = cells;
      continue;
    }
    if (cells.size() != names.size()) {
      throw Error(ErrorKind::kParse, file.string() + ":" + std::to_string(number),
                  std::to_string(cells.size()) + " cells, the header has " + std::to_string(names.size()));
    }
    rows.push_back(cells);
    line_numbers.push_back(number);
  }
  return to_plot(names, rows, title, file.string(), [&](size_t r, size_t c) {
    return file.string() + ":" + std::to_string(line_numbers[r]) + ":" + std::to_string(c + 1);
  });
}

PlotData read_json_plot(const fs::path& file, const std::string& title) {
  nlohmann::ordered_json document;
  try {
    document = nlohmann::ordered_json::parse(read_file(file));
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(ErrorKind::kParse, file.string() + ":" + std::to_string(e.byte), "malformed JSON");
  }
  if (document.is_object() && document.size() == 1 && document.begin()->is_array()) document = *document.begin();
  if (!document.is_array()) throw Error(ErrorKind::kInvalid, file.string(), "expected a list of objects");
  std::vector<std::string> names;
  for (const auto& row : document) {
    if (!row.is_object()) throw Error(ErrorKind::kInvalid, file.string(), "expected a list of objects");
    for (const auto& [key, value] : row.items()) {
      if (std::find(names.begin(), names.end(), key) == names.end()) names.push_back(key);
    }
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& row : document) {
    std::vector<std::string> cells;
    for (const std::string& name : names) {
      const auto it = row.find(name);
      if (it == row.end() || it->is_null()) cells.push_back("");
      else if (it->is_number()) cells.push_back(it->dump());
      else cells.push_back(it->is_string() ? it->get<std::string>() : it->dump());
    }
    rows.push_back(cells);
  }
  return to_plot(names, rows, title, file.string(),
                 [&](size_t r, size_t c) { return file.string() + ": entry " + std::to_string(r) + " '" + names[c] + "'"; });
}

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  std::string text = buffer;
  if (text == "-0" || text.find_first_not_of("-0.") == std::string::npos) text.erase(0, text[0] == '-' ? 1 : 0);
  return text;
}

// An axis over [lo, hi] with "nice" ticks (1, 2 or 5 times a power of ten).
struct Axis {
  double lo, hi, step;
  int decimals;
};

Axis nice_axis(double min, double max) {
  if (!(max > min)) {
    const double pad = min == 0 ? 1 : std::abs(min) * 0.5;
    min -= pad;
    max += pad;
  }
  const double rough = (max - min) / 5;
  const double magnitude = std::pow(10, std::floor(std::log10(rough)));
  const double fraction = rough / magnitude;
  const double step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
  Axis axis{std::floor(min / step) * step, std::ceil(max / step) * step, step,
            std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)))};
  return axis;
}

}  // namespace

PlotData read_plot_file(const fs::path& file, const std::string& title) {
  if (!fs::exists(file)) throw Error(ErrorKind::kIo, file.string(), "plots file does not exist (run tinymlops repro)");
  return file.extension() == ".json" ? read_json_plot(file, title) : read_csv_plot(file, title);
}

std::string render_svg_chart(const PlotData& plot) {
  double x_min = INFINITY, x_max = -INFINITY, y_min = INFINITY, y_max = -INFINITY;
  for (double x : plot.x) x_min = std::min(x_min, x), x_max = std::max(x_max, x);
  for (const PlotSeries& s : plot.series) {
    for (double y : s.y) {
      if (std::isnan(y)) continue;
      y_min = std::min(y_min, y);
      y_max = std::max(y_max, y);
    }
  }
  const Axis xa = nice_axis(x_min, x_max);
  const Axis ya = nice_axis(y_min, y_max);
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  auto px = [&](double x) { return kLeft + (x - xa.lo) / (xa.hi - xa.lo) * plot_w; };
  auto py = [&](double y) { return kTop + plot_h - (y - ya.lo) / (ya.hi - ya.lo) * plot_h; };

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(kWidth) + "\" height=\"" +
                    std::to_string(kHeight) + "\" viewBox=\"0 0 " + std::to_string(kWidth) + " " +
                    std::to_string(kHeight) + "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg += "<text x=\"" + std::to_string(kLeft) + "\" y=\"20\" font-size=\"14\">" + xml_escape(plot.title) + "</text>\n";
  // Grid and ticks.
  for (int k = 0; xa.lo + k * xa.step <= xa.hi + xa.step * 1e-6; ++k) {
    const double t = xa.lo + k * xa.step;
    const std::string x = fixed(px(t), 2);
    svg += "<line x1=\"" + x + "\" y1=\"" + fixed(kTop, 2) + "\" x2=\"" + x + "\" y2=\"" + fixed(kTop + plot_h, 2) +
           "\" stroke=\"#e0e0e0\"/>\n";
    svg += "<text x=\"" + x + "\" y=\"" + fixed(kTop + plot_h + 16, 2) + "\" text-anchor=\"middle\">" +
           fixed(t, xa.decimals) + "</text>\n";
  }
  for (int k = 0; ya.lo + k * ya.step <= ya.hi + ya.step * 1e-6; ++k) {
    const double t = ya.lo + k * ya.step;
    const std::string y = fixed(py(t), 2);
    svg += "<line x1=\"" + fixed(kLeft - 4, 2) + "\" y1=\"" + y + "\" x2=\"" + fixed(kLeft + plot_w, 2) + "\" y2=\"" + y +
           "\" stroke=\"#e0e0e0\"/>\n";
    svg += "<text x=\"" + fixed(kLeft - 6, 2) + "\" y=\"" + fixed(py(t) + 4, 2) + "\" text-anchor=\"end\">" +
           fixed(t, ya.decimals) + "</text>\n";
  }
  // Axes and the x label.
  svg += "<line x1=\"" + fixed(kLeft, 2) + "\" y1=\"" + fixed(kTop + plot_h, 2) + "\" x2=\"" + fixed(kLeft + plot_w, 2) +
         "\" y2=\"" + fixed(kTop + plot_h, 2) + "\" stroke=\"black\"/>\n";
  svg += "<line x1=\"" + fixed(kLeft, 2) + "\" y1=\"" + fixed(kTop, 2) + "\" x2=\"" + fixed(kLeft, 2) + "\" y2=\"" +
         fixed(kTop + plot_h, 2) + "\" stroke=\"black\"/>\n";
  svg += "<text x=\"" + fixed(kLeft + plot_w / 2, 2) + "\" y=\"" + std::to_string(kHeight - 8) +
         "\" text-anchor=\"middle\">" + xml_escape(plot.x_name) + "</text>\n";
  // Series (a NaN breaks the line) and the legend.
  for (size_t s = 0; s < plot.series.size(); ++s) {
    const std::string color = kColors[s % (sizeof kColors / sizeof kColors[0])];
    std::string points;
    auto flush = [&] {
      if (!points.empty()) {
        svg += "<polyline fill=\"none\" stroke=\"" + color + "\" stroke-width=\"1.5\" points=\"" + points + "\"/>\n";
      }
      points.clear();
    };
    for (size_t i = 0; i < plot.x.size(); ++i) {
      if (std::isnan(plot.series[s].y[i])) {
        flush();
        continue;
      }
      points += (points.empty() ? "" : " ") + fixed(px(plot.x[i]), 2) + "," + fixed(py(plot.series[s].y[i]), 2);
    }
    flush();
    const double legend_y = kTop + 8 + 18.0 * static_cast<double>(s);
    svg += "<rect x=\"" + fixed(kLeft + plot_w + 16, 2) + "\" y=\"" + fixed(legend_y - 8, 2) +
           "\" width=\"12\" height=\"3\" fill=\"" + color + "\"/>\n";
    svg += "<text x=\"" + fixed(kLeft + plot_w + 34, 2) + "\" y=\"" + fixed(legend_y - 3, 2) + "\">" +
           xml_escape(plot.series[s].name) + "</text>\n";
  }
  return svg + "</svg>\n";
}

std::string render_plots(const std::vector<PlotData>& plots, const std::string& format) {
  if (format == "svg") {
    std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(kWidth) + "\" height=\"" +
                      std::to_string(kHeight * static_cast<int>(plots.size())) + "\">\n";
    for (size_t i = 0; i < plots.size(); ++i) {
      svg += "<g transform=\"translate(0," + std::to_string(kHeight * static_cast<int>(i)) + ")\">\n" +
             render_svg_chart(plots[i]) + "</g>\n";
    }
    return svg + "</svg>\n";
  }
  if (format != "html") throw Error(ErrorKind::kUsage, "--out", "plots are written as .html or .svg, not '" + format + "'");
  std::string html =
      "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>tinymlops plots</title>\n"
      "<style>body{font-family:sans-serif;margin:24px} h2{font-size:16px}</style>\n</head>\n<body>\n";
  for (const PlotData& plot : plots) html += "<h2>" + xml_escape(plot.title) + "</h2>\n" + render_svg_chart(plot);
  return html + "</body>\n</html>\n";
}

std::vector<PlotData> collect_plots(const Pipeline& pipeline) {
  std::vector<PlotData> plots;
  for (const Stage& stage : pipeline.stages) {
    for (const std::string& file : stage.plots) plots.push_back(read_plot_file(in_project(pipeline, file), file));
  }
  return plots;
}

}  // namespace tinymlops::pipeline

// Line charts of the stages' plots files, as a self-contained SVG or HTML file.
//
// A plots file is CSV with a header row, or JSON: a list of objects (or an object
// holding one such list). x is the column named "step" when there is one, else
// the first column; every other numeric column is a series (y). The output has
// one chart (an <svg> element with axes, ticks and a legend) per file; the bytes
// depend only on the input.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tinymlops/pipeline/pipeline.h"

namespace tinymlops::pipeline {

struct PlotSeries {
  std::string name;
  std::vector<double> y;  // NaN where a row has no number
};

struct PlotData {
  std::string title;  // the file's project-relative path
  std::string x_name;
  std::vector<double> x;
  std::vector<PlotSeries> series;
};

// Reads a plots file. Error naming FILE[:LINE[:COL]] for malformed content, a
// non-numeric x value, or no numeric series.
PlotData read_plot_file(const std::filesystem::path& file, const std::string& title);

// One <svg> line chart.
std::string render_svg_chart(const PlotData& plot);

// A whole document: "html" (a page with a heading and a chart per plot) or "svg"
// (the charts stacked in one <svg>).
std::string render_plots(const std::vector<PlotData>& plots, const std::string& format);

// Every plots file the stages declare, in stage order (Error naming a missing one).
std::vector<PlotData> collect_plots(const Pipeline& pipeline);

}  // namespace tinymlops::pipeline

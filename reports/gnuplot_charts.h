// Charts for the report, drawn by gnuplot (SVG). For each chart this writes
// its data (.dat) and script (.gp) next to the SVG under DIR/charts/, so a
// user can restyle and redraw any chart by hand.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reports/aggregate.h"

namespace collabsim::reports {

struct Chart {
  std::string title;
  std::string svg_path;  // relative to the output directory
  std::string caption;   // axes, seeds, version, scenario parameters
};

struct ChartSet {
  std::vector<Chart> charts;
  // Set when charts could not be drawn (gnuplot missing or failing); the
  // text says why and how to fix it.
  std::string skipped_because;
};

// A label as a double-quoted field of a gnuplot data file, with every byte
// that could end the field or the line (controls, '"') replaced. Labels
// reach gnuplot only this way: scripts hold no byte of a user's string.
std::string DataLabel(std::string_view text);

// `gnuplot` is the command to run ("gnuplot" finds it on PATH).
ChartSet RenderCharts(const Aggregate& aggregate, const std::string& out_dir, const std::string& gnuplot);

}  // namespace collabsim::reports

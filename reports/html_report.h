// index.html: one self-contained page (inline CSS and SVG, no external URLs):
// the verdict (decision.h), then per scenario a table of its time figures and
// one of its costs with the highlighting rules (highlighting.h) and failures
// in red, then the charts with their captions, then every failing run's
// repro command.
#pragma once

#include <string>

#include "reports/aggregate.h"
#include "reports/gnuplot_charts.h"

namespace collabsim::reports {

// Reads each chart's SVG from `out_dir` to inline it.
// `baseline_html` (RegressionHtml, or empty) goes right after the verdict.
std::string HtmlReport(const Aggregate& aggregate, const ChartSet& charts, const std::string& out_dir,
                       const std::string& baseline_html = "");

std::string HtmlEscape(const std::string& text);

}  // namespace collabsim::reports

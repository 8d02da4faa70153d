// summary.md: a table per scenario (engine rows, figure columns, each a mean
// with its 95% confidence interval over seeds), ready for a PR or design doc.
#pragma once

#include <string>

#include "reports/aggregate.h"

namespace collabsim::reports {

// `baseline_markdown` (RegressionMarkdown, or empty) goes right after the verdict.
std::string MarkdownSummary(const Aggregate& aggregate, const std::string& baseline_markdown = "");

// A figure as the tables print it: "12.3 ± 0.4" (or "12.3" for one seed).
std::string FormatEstimate(const Estimate& estimate, int decimals);

}  // namespace collabsim::reports

// Writes every output of a comparison into one directory: results.json,
// results.csv, summary.md, charts/ and index.html. `compare` and `report`
// both end here, so a report rebuilt from saved results is the same report.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "results.pb.h"

namespace collabsim::reports {

struct ReportOptions {
  std::string out_dir;
  std::string gnuplot = "gnuplot";
  // Engine display order (the registry's); others follow by name.
  std::vector<std::string> engine_order;
  // `compare --baseline`: the section each page gets after its verdict
  // (RegressionMarkdown / RegressionHtml); empty without a baseline.
  std::string baseline_markdown;
  std::string baseline_html;
};

struct ReportOutcome {
  std::string index_html;       // path
  std::string charts_skipped;   // why, when charts were not drawn
  size_t charts = 0;
};

// Canonicalizes `file` (sorted runs) before writing it.
absl::StatusOr<ReportOutcome> WriteReport(results::ResultsFile file, const ReportOptions& options);

}  // namespace collabsim::reports

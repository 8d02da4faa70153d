// The one place that turns results into the report directory.
#include "reports/report_writer.h"

#include <filesystem>

#include "absl/strings/str_format.h"
#include "reports/aggregate.h"
#include "reports/csv_writer.h"
#include "reports/gnuplot_charts.h"
#include "reports/html_report.h"
#include "reports/markdown_summary.h"
#include "reports/results_file.h"

namespace collabsim::reports {

absl::StatusOr<ReportOutcome> WriteReport(results::ResultsFile file, const ReportOptions& options) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::create_directories(options.out_dir, error);
  if (error) {
    return absl::InvalidArgumentError(absl::StrFormat("cannot create %s: %s", options.out_dir, error.message()));
  }
  Canonicalize(options.engine_order, &file);
  const Aggregate aggregate = AggregateResults(file, options.engine_order);
  auto path = [&](const char* name) { return (fs::path(options.out_dir) / name).string(); };
  for (const auto& [name, contents] : std::vector<std::pair<const char*, std::string>>{
           {"results.json", ResultsToJson(file)}, {"results.csv", RunsToCsv(file)},
           {"summary.md", MarkdownSummary(aggregate, options.baseline_markdown)}}) {
    absl::Status written = WriteTextFile(path(name), contents);
    if (!written.ok()) return written;
  }
  const ChartSet charts = RenderCharts(aggregate, options.out_dir, options.gnuplot);
  absl::Status written = WriteTextFile(path("index.html"), HtmlReport(aggregate, charts, options.out_dir, options.baseline_html));
  if (!written.ok()) return written;
  return ReportOutcome{fs::absolute(path("index.html")).string(), charts.skipped_because, charts.charts.size()};
}

}  // namespace collabsim::reports

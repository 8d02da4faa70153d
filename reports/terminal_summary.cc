// Plain-text tables per scenario from an Aggregate.
#include "reports/terminal_summary.h"

#include "absl/strings/str_format.h"
#include "reports/markdown_summary.h"
#include "reports/text_table.h"

namespace collabsim::reports {

std::string TerminalSummary(const Aggregate& a) {
  // A compact subset of the summary figures; summary.md has them all.
  const std::vector<std::string> keys = {"p50_ms", "p99_ms", "steady_p99_ms", "convergence_s", "wire_bytes_per_edit",
                                         "server_peak_kib", "loss_rate_pct", "cursor_p95_ms"};
  const std::vector<std::string> headers = {"p50 ms", "p99 ms", "steady p99", "converge s", "wire B/edit",
                                            "server KiB", "loss %", "cursor p95"};
  std::string out;
  for (const std::string& scenario : a.scenarios) {
    std::vector<std::string> header = {"engine", "runs", "failed"};
    header.insert(header.end(), headers.begin(), headers.end());
    TextTable table(header);
    for (const std::string& engine : a.engines) {
      const Group* g = a.Find(scenario, engine);
      std::vector<std::string> row = {engine, g == nullptr ? "0" : absl::StrFormat("%d", g->runs.size()),
                                      g == nullptr ? "n/a" : absl::StrFormat("%d", g->failed)};
      for (const std::string& key : keys) {
        size_t k = 0;
        while (SummaryFigures()[k].key != key) ++k;
        row.push_back(g == nullptr ? "n/a" : FormatEstimate(g->estimates[k], SummaryFigures()[k].decimals));
      }
      table.AddRow(row);
    }
    const results::ScenarioInfo* info = a.Scenario(scenario);
    absl::StrAppendFormat(&out, "\n%s: %s\n", scenario, info == nullptr ? "" : info->description());
    if (info != nullptr && !info->seed_choice().empty()) absl::StrAppendFormat(&out, "Seeds: %s.\n", info->seed_choice());
    out += table.Render();
  }
  return out;
}

}  // namespace collabsim::reports

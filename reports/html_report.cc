// Builds the HTML page of a report.
#include "reports/html_report.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "reports/decision.h"
#include "reports/highlighting.h"
#include "reports/markdown_summary.h"

namespace collabsim::reports {
namespace {

constexpr const char* kStyle = R"(
body { font-family: Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; }
table.summary th { font-size: 0.85em; font-weight: normal; background: #f3f3f3; }
span.pm { display: block; font-size: 0.8em; color: #666; }
th:first-child, td:first-child { text-align: left; }
th { background: #f3f3f3; }
td.best { background: #e3f4e3; font-weight: bold; }
td.none { color: #888; font-style: italic; }
td.fail, tr.fail td:first-child { background: #fbe0e0; color: #a00; font-weight: bold; }
.note { background: #fff4d6; border: 1px solid #e0c060; padding: 0.6em; }
figure { margin: 1.5em 0; }
figcaption { font-size: 0.85em; color: #555; max-width: 760px; }
code { background: #f3f3f3; padding: 0 0.2em; }
table.verdict td { vertical-align: top; text-align: left; padding: 0.2em; }
table.verdict td div { padding: 0.1em 0.4em; margin: 1px 0; border-radius: 3px; white-space: nowrap; }
table.verdict td div .vs-ideal { display: block; font-weight: normal; font-size: 85%; }
.d-best { background: #c8ebc8; font-weight: bold; }
.d-near { background: #f4f0c0; }
.d-far { background: #f8d8a8; }
.d-worst { background: #f4b8b0; }
.d-failed { background: #e05050; color: #fff; font-weight: bold; }
.d-none { color: #888; }
ul.tradeoffs li { margin: 0.3em 0; }
p.seeds { font-size: 0.85em; color: #555; }
)";

std::string ReadSvg(const std::string& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  std::string svg = contents.str();
  const size_t start = svg.find("<svg");
  return start == std::string::npos ? "" : svg.substr(start);
}

// Figures about time (latency, convergence) go in a scenario's first table,
// the costs (bytes, memory, loss, CPU) in its second, so both fit the page.
bool AboutTime(const std::string& key) { return key.ends_with("_ms") || key == "convergence_s"; }

// The mean, with the interval's half-width on a line of its own below it.
std::string EstimateCell(const Estimate& estimate, int decimals) {
  if (estimate.count < 2) return HtmlEscape(FormatEstimate(estimate, decimals));
  return absl::StrFormat("%.*f<span class=\"pm\">&plusmn; %.*f</span>", decimals, estimate.mean, decimals,
                         estimate.half_width);
}

std::string SummaryTable(const Aggregate& a, const std::string& scenario,
                         const std::vector<std::vector<CellMark>>& marks, bool latency) {
  const auto& figures = SummaryFigures();
  std::vector<size_t> columns;
  for (size_t k = 0; k < figures.size(); ++k) {
    if (AboutTime(figures[k].key) == latency) columns.push_back(k);
  }
  std::string html = "<table class=\"summary\"><tr><th>engine</th>";
  if (latency) html += "<th>runs</th><th>failed</th>";
  for (size_t k : columns) html += "<th>" + HtmlEscape(figures[k].label) + "</th>";
  html += "</tr>\n";
  for (size_t e = 0; e < a.engines.size(); ++e) {
    const std::string& engine = a.engines[e];
    const Group* g = a.Find(scenario, engine);
    if (g == nullptr) {
      html += "<tr><td>" + HtmlEscape(engine) + "</td>" + (latency ? "<td>0</td><td>n/a</td>" : "");
      for (size_t i = 0; i < columns.size(); ++i) html += "<td>n/a</td>";
      html += "</tr>\n";
      continue;
    }
    const char* fail = g->failed > 0 ? " class=\"fail\"" : "";
    html += absl::StrFormat("<tr%s><td>%s</td>", fail, HtmlEscape(engine));
    if (latency) html += absl::StrFormat("<td>%d</td><td%s>%d</td>", g->runs.size(), fail, g->failed);
    for (size_t k : columns) {
      if (marks[e][k] == CellMark::kNoServer) {
        html += "<td class=\"none\">no server</td>";
        continue;
      }
      html += absl::StrFormat("<td%s>%s</td>", marks[e][k] == CellMark::kBest ? " class=\"best\"" : "",
                              EstimateCell(g->estimates[k], figures[k].decimals));
    }
    html += "</tr>\n";
  }
  return html + "</table>\n";
}

}  // namespace

std::string HtmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string HtmlReport(const Aggregate& a, const ChartSet& charts, const std::string& out_dir,
                       const std::string& baseline_html) {
  size_t runs = 0, failed = 0;
  for (const Group& g : a.groups) runs += g.runs.size(), failed += g.failed;
  std::string html = absl::StrFormat(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>collabsim comparison</title>"
      "<style>%s</style></head><body>\n<h1>collabsim comparison</h1>\n<p>collabsim %s &middot; seeds %s &middot; "
      "engines %s &middot; %d runs, <span class=\"%s\">%d failed</span></p>\n",
      kStyle, HtmlEscape(a.version), HtmlEscape(a.seeds), HtmlEscape(absl::StrJoin(a.engines, ", ")), runs,
      failed > 0 ? "fail" : "", failed);
  if (!charts.skipped_because.empty()) {
    html += "<p class=\"note\">Charts skipped: " + HtmlEscape(charts.skipped_because) + ".</p>\n";
  }
  html += DecisionHtml(Decide(a), ChoiceEngines(a));
  html += baseline_html;
  html += "<h2>Summary</h2>\n<p>Mean over seeds &plusmn; 95% confidence interval. Lower is better in every "
          "column. Highlighted: the best engine per column and every engine not significantly behind it (Welch's t "
          "over seeds at 95%); an engine that failed a run or lost typed words is never highlighted. Failures are "
          "red.</p>\n";
  for (const std::string& scenario : a.scenarios) {
    const results::ScenarioInfo* info = a.Scenario(scenario);
    html += "<h3>" + HtmlEscape(scenario) + "</h3>\n";
    if (info != nullptr) {
      html += absl::StrFormat("<p>%s (%d users, %g s active).</p>\n", HtmlEscape(info->description()), info->users(),
                              info->active_s());
      if (!info->seed_choice().empty()) html += "<p class=\"seeds\">Seeds: " + HtmlEscape(info->seed_choice()) + ".</p>\n";
    }
    const auto marks = MarkCells(a, scenario);
    html += SummaryTable(a, scenario, marks, /*latency=*/true) + SummaryTable(a, scenario, marks, /*latency=*/false);
  }
  if (!charts.charts.empty()) html += "<h2>Charts</h2>\n";
  for (const Chart& chart : charts.charts) {
    html += "<figure><h3>" + HtmlEscape(chart.title) + "</h3>\n" +
            ReadSvg((std::filesystem::path(out_dir) / chart.svg_path).string()) + "\n<figcaption>" +
            HtmlEscape(chart.caption) + "</figcaption></figure>\n";
  }
  if (failed > 0) {
    html += "<h2>Failures</h2>\n<ul>\n";
    for (const results::RunResult& run : a.file->runs()) {
      if (run.violations_size() == 0) continue;
      html += absl::StrFormat("<li class=\"fail\">%s / %s / seed %d: [%s] %s<br><code>%s</code></li>\n",
                              HtmlEscape(run.scenario()), HtmlEscape(run.engine()), run.seed(),
                              HtmlEscape(run.violations(0).invariant()), HtmlEscape(run.violations(0).detail()),
                              HtmlEscape(run.command()));
    }
    html += "</ul>\n";
  }
  html += "</body></html>\n";
  return html;
}

}  // namespace collabsim::reports

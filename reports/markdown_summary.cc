// Markdown tables from an Aggregate.
#include "reports/markdown_summary.h"

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "reports/decision.h"
#include "reports/highlighting.h"

namespace collabsim::reports {

std::string FormatEstimate(const Estimate& estimate, int decimals) {
  if (estimate.count == 0) return "n/a";
  if (estimate.count < 2) return absl::StrFormat("%.*f", decimals, estimate.mean);
  return absl::StrFormat("%.*f ± %.*f", decimals, estimate.mean, decimals, estimate.half_width);
}

std::string MarkdownSummary(const Aggregate& aggregate, const std::string& baseline_markdown) {
  std::string out = absl::StrFormat(
      "# collabsim comparison\n\ncollabsim %s; seeds %s; engines %s. Each cell is the mean over seeds of the "
      "run's figure, ± the half-width of its 95%% confidence interval (Student's t). Latency is the time from a "
      "user's intent until it is visible to another user; steady-state latency counts only deliveries whose "
      "author and receiver kept every link up and the server never stalled meanwhile, so it shows the algorithm "
      "apart from the faults. In "
      "bold: the best engine per column and every engine not significantly behind it (Welch's t over seeds at "
      "95%%); an engine that failed a run or lost typed words is never bold.\n",
      aggregate.version, aggregate.seeds, absl::StrJoin(aggregate.engines, ", "));
  out += "\n" + DecisionMarkdown(Decide(aggregate), ChoiceEngines(aggregate)) + "\n";
  if (!baseline_markdown.empty()) out += baseline_markdown + "\n";
  out += "# Every figure\n";
  for (const std::string& scenario : aggregate.scenarios) {
    const results::ScenarioInfo* info = aggregate.Scenario(scenario);
    absl::StrAppendFormat(&out, "\n## %s\n\n", scenario);
    if (info != nullptr) {
      absl::StrAppendFormat(&out, "%s (%d users, %g s active).\n\n", info->description(), info->users(), info->active_s());
      if (!info->seed_choice().empty()) absl::StrAppendFormat(&out, "Seeds: %s.\n\n", info->seed_choice());
    }
    std::vector<std::string> header = {"engine", "runs", "failed"};
    for (const Figure& figure : SummaryFigures()) header.push_back(figure.label);
    out += "| " + absl::StrJoin(header, " | ") + " |\n|" + std::string() ;
    for (size_t k = 0; k < header.size(); ++k) out += k == 0 ? "---|" : "---:|";
    out += "\n";
    const auto marks = MarkCells(aggregate, scenario);
    for (size_t e = 0; e < aggregate.engines.size(); ++e) {
      const std::string& engine = aggregate.engines[e];
      const Group* group = aggregate.Find(scenario, engine);
      std::vector<std::string> cells = {engine};
      if (group == nullptr) {
        cells.push_back("0");
        cells.push_back("n/a");
        for (size_t k = 0; k < SummaryFigures().size(); ++k) cells.push_back("n/a");
      } else {
        cells.push_back(absl::StrFormat("%d", group->runs.size()));
        cells.push_back(group->failed == 0 ? "0" : absl::StrFormat("**%d**", group->failed));
        for (size_t k = 0; k < SummaryFigures().size(); ++k) {
          const std::string value = FormatEstimate(group->estimates[k], SummaryFigures()[k].decimals);
          cells.push_back(marks[e][k] == CellMark::kNoServer ? "no server"
                          : marks[e][k] == CellMark::kBest   ? "**" + value + "**"
                                                             : value);
        }
      }
      out += "| " + absl::StrJoin(cells, " | ") + " |\n";
    }
  }
  return out;
}

}  // namespace collabsim::reports

// See regression.h.
#include "reports/regression.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "reports/aggregate.h"
#include "reports/html_report.h"
#include "reports/significance.h"

namespace collabsim::reports {
namespace {

// Figures that are sums of what was sent or held: no seed noise between two
// runs of one trace, and compared exactly.
bool Exact(const std::string& figure) {
  return figure == "wire_bytes_per_edit" || figure == "messages_per_edit" || figure == "server_peak_kib" ||
         figure == "client_peak_kib";
}

// Figures read from a clock of the machine that ran, not simulated.
bool Measured(const std::string& figure) { return figure == "local_apply_us"; }

using Key = std::pair<std::string, std::string>;  // scenario, engine

std::map<Key, std::map<uint64_t, const results::RunResult*>> BySeed(const results::ResultsFile& file) {
  std::map<Key, std::map<uint64_t, const results::RunResult*>> groups;
  for (const auto& run : file.runs()) groups[{run.scenario(), run.engine()}][run.seed()] = &run;
  return groups;
}

std::string Percent(double change) {
  if (std::isinf(change)) return change > 0 ? "new" : "gone";
  return absl::StrFormat("%+.1f%%", 100 * change);
}

}  // namespace

absl::StatusOr<std::vector<FailRule>> ParseFailOn(std::string_view spec) {
  std::vector<FailRule> rules;
  std::set<std::string> known;
  for (const Figure& figure : SummaryFigures()) known.insert(figure.key);
  for (absl::string_view part : absl::StrSplit(absl::string_view(spec.data(), spec.size()), ',', absl::SkipWhitespace())) {
    part = absl::StripAsciiWhitespace(part);
    const size_t at = part.find(">+");
    double percent = 0;
    const bool shaped = at != absl::string_view::npos && absl::ConsumeSuffix(&part, "%") &&
                        absl::SimpleAtod(part.substr(at + 2), &percent) && std::isfinite(percent) && percent >= 0;
    if (!shaped) {
      return absl::InvalidArgumentError(
          absl::StrFormat("--fail-on: '%s' is not FIGURE>+N%% (e.g. p99_ms>+10%%)", std::string(part)));
    }
    const std::string figure(part.substr(0, at));
    if (!known.contains(figure)) {
      std::vector<std::string> names(known.begin(), known.end());
      return absl::InvalidArgumentError(absl::StrFormat("--fail-on: unknown figure '%s' (known: %s)", figure,
                                                        absl::StrJoin(names, ", ")));
    }
    rules.push_back({figure, percent / 100});
  }
  if (rules.empty()) return absl::InvalidArgumentError("--fail-on: no rule (e.g. p99_ms>+10%)");
  return rules;
}

std::vector<FigureChange> CompareWithBaseline(const results::ResultsFile& baseline,
                                              const results::ResultsFile& current,
                                              const std::vector<std::string>& engine_order) {
  const auto old_groups = BySeed(baseline);
  const auto new_groups = BySeed(current);
  std::vector<Key> keys;
  for (const auto& [key, runs] : new_groups) {
    if (old_groups.contains(key)) keys.push_back(key);
  }
  auto rank = [&](const std::string& engine) {
    return std::find(engine_order.begin(), engine_order.end(), engine) - engine_order.begin();
  };
  std::sort(keys.begin(), keys.end(), [&](const Key& a, const Key& b) {
    return std::make_tuple(a.first, rank(a.second), a.second) < std::make_tuple(b.first, rank(b.second), b.second);
  });
  std::vector<FigureChange> changes;
  for (const Key& key : keys) {
    const auto& before = old_groups.at(key);
    const auto& after = new_groups.at(key);
    bool same_seeds = before.size() == after.size();
    for (const auto& [seed, run] : after) same_seeds = same_seeds && before.contains(seed);
    for (const Figure& figure : SummaryFigures()) {
      std::vector<double> a, b, differences;
      for (const auto& [seed, run] : before) {
        if (const std::optional<double> v = figure.extract(*run)) a.push_back(*v);
      }
      for (const auto& [seed, run] : after) {
        const std::optional<double> v = figure.extract(*run);
        if (!v.has_value()) continue;
        b.push_back(*v);
        const auto old = before.find(seed);
        if (old != before.end()) {
          if (const std::optional<double> w = figure.extract(*old->second)) differences.push_back(*v - *w);
        }
      }
      if (a.empty() || b.empty()) continue;  // n/a on one side
      FigureChange change{key.first, key.second, figure.key, figure.label, Mean(a), Mean(b)};
      change.change = change.baseline == change.current ? 0
                      : change.baseline == 0 ? (change.current > 0 ? INFINITY : -INFINITY)
                                             : (change.current - change.baseline) / std::fabs(change.baseline);
      if (Exact(figure.key)) {
        change.test = "exact";
        change.p = change.baseline == change.current ? 1 : 0;
      } else if (same_seeds && differences.size() == b.size() && differences.size() >= 2) {
        change.test = "paired t";
        change.p = PairedP(differences);
      } else if (a.size() >= 2 && b.size() >= 2) {
        change.test = "Welch t";
        change.p = WelchP(a, b);
      } else {
        change.test = "too few seeds";
        change.p = 1;
      }
      change.significant = change.p < kSignificance && change.baseline != change.current;
      changes.push_back(std::move(change));
    }
  }
  return changes;
}

std::vector<FigureChange> Regressions(const std::vector<FigureChange>& changes, const std::vector<FailRule>& rules) {
  std::vector<FigureChange> regressions;
  for (const FigureChange& change : changes) {
    for (const FailRule& rule : rules) {
      if (rule.figure == change.figure && change.significant && change.change > rule.max_increase) {
        regressions.push_back(change);
      }
    }
  }
  return regressions;
}

namespace {

// What both renderings of a baseline comparison say, in order.
struct BaselineSections {
  size_t pairs = 0;                                // scenario x engine pairs in both
  std::vector<const FigureChange*> significant;    // simulated figures
  std::vector<const FigureChange*> measured;       // CPU time, the machines' as much as the code's
  std::string rules;                               // "p99_ms>+10%, ..."; empty: no rules
  std::vector<FigureChange> regressions;
};

BaselineSections Sections(const std::vector<FigureChange>& changes, const std::vector<FailRule>& rules) {
  BaselineSections out;
  std::set<Key> groups;
  for (const FigureChange& change : changes) {
    groups.insert({change.scenario, change.engine});
    if (change.significant) (Measured(change.figure) ? out.measured : out.significant).push_back(&change);
  }
  out.pairs = groups.size();
  std::vector<std::string> rule_text;
  for (const FailRule& rule : rules) rule_text.push_back(absl::StrFormat("%s>+%g%%", rule.figure, 100 * rule.max_increase));
  out.rules = absl::StrJoin(rule_text, ", ");
  out.regressions = Regressions(changes, rules);
  return out;
}

constexpr const char* kSignificanceText =
    "a change is significant at p < 0.05 (paired by seed, Welch's t on other seeds; bytes, messages and memory "
    "exactly)";

std::string TestText(const FigureChange& c) {
  return c.test == "exact" ? c.test : absl::StrFormat("%s, p=%.3g", c.test, c.p);
}

}  // namespace

std::string RegressionMarkdown(const std::vector<FigureChange>& changes, const std::vector<FailRule>& rules,
                               const std::string& baseline_name) {
  const BaselineSections sections = Sections(changes, rules);
  std::string out = absl::StrFormat("## Against the baseline\n\nBaseline: `%s`. %d scenario x engine pairs in both; %s.\n\n",
                                    baseline_name, sections.pairs, kSignificanceText);
  if (sections.significant.empty()) {
    out += "No significant change.\n";
  } else {
    out += "| scenario | engine | figure | baseline | now | change | test |\n|---|---|---|---|---|---|---|\n";
    for (const FigureChange* c : sections.significant) {
      out += absl::StrFormat("| %s | %s | %s | %.6g | %.6g | %s | %s |\n", c->scenario, c->engine, c->label,
                             c->baseline, c->current, Percent(c->change), TestText(*c));
    }
  }
  if (!sections.measured.empty()) {
    out += "\nMeasured on the machines that ran (CPU time: their load is in it, not only the code):\n\n";
    for (const FigureChange* c : sections.measured) {
      out += absl::StrFormat("- %s x %s: %s %.6g -> %.6g (%s, %s, p=%.3g)\n", c->scenario, c->engine, c->label,
                             c->baseline, c->current, Percent(c->change), c->test, c->p);
    }
  }
  if (sections.rules.empty()) return out;
  out += absl::StrFormat("\n### Regressions (%s)\n\n", sections.rules);
  if (sections.regressions.empty()) return out + "None.\n";
  for (const FigureChange& c : sections.regressions) {
    out += absl::StrFormat("- **%s x %s**: %s %.6g -> %.6g (%s)\n", c.scenario, c.engine, c.figure, c.baseline,
                           c.current, Percent(c.change));
  }
  return out;
}

std::string RegressionHtml(const std::vector<FigureChange>& changes, const std::vector<FailRule>& rules,
                           const std::string& baseline_name) {
  const BaselineSections sections = Sections(changes, rules);
  std::string html = absl::StrFormat(
      "<h2>Against the baseline</h2>\n<p>Baseline: <code>%s</code>. %d scenario x engine pairs in both; %s.</p>\n",
      HtmlEscape(baseline_name), sections.pairs, kSignificanceText);
  if (!sections.rules.empty()) {
    html += absl::StrFormat("<p class=\"%s\">Regressions (%s): %s.</p>\n", sections.regressions.empty() ? "" : "fail",
                            HtmlEscape(sections.rules),
                            sections.regressions.empty() ? "none" : absl::StrCat(sections.regressions.size()));
  }
  if (sections.significant.empty()) return html + "<p>No significant change.</p>\n";
  html += "<table><tr><th>scenario</th><th>engine</th><th>figure</th><th>baseline</th><th>now</th><th>change</th>"
          "<th>test</th></tr>\n";
  for (const FigureChange* c : sections.significant) {
    html += absl::StrFormat("<tr><td>%s</td><td>%s</td><td>%s</td><td>%.6g</td><td>%.6g</td><td>%s</td><td>%s</td></tr>\n",
                            HtmlEscape(c->scenario), HtmlEscape(c->engine), HtmlEscape(c->label), c->baseline,
                            c->current, Percent(c->change), HtmlEscape(TestText(*c)));
  }
  return html + "</table>\n";
}

}  // namespace collabsim::reports

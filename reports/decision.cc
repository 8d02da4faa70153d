// See decision.h.
#include "reports/decision.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "reports/highlighting.h"
#include "reports/html_report.h"

namespace collabsim::reports {
namespace {

// How each figure reads in a cell and in a sentence.
struct Wording {
  std::string key;
  std::string noun;  // "Server memory"
  std::string less;  // "less server memory"
};

const std::vector<Wording>& Wordings() {
  static const auto* const wordings = new std::vector<Wording>{
      {"steady_p99_ms", "Steady-state p99 latency", "lower steady-state p99 latency"},
      {"wire_bytes_per_edit", "Wire bytes per edit", "fewer wire bytes per edit"},
      {"server_peak_kib", "Server memory", "less server memory"},
      {"client_peak_kib", "Client memory", "less client memory"},
      {"local_apply_us", "CPU per local op", "less CPU per local op"},
  };
  return *wordings;
}

std::string Value(const std::string& key, double v) {
  if (key == "steady_p99_ms") return absl::StrFormat("%.0f ms", v);
  if (key == "wire_bytes_per_edit") return absl::StrFormat("%.0f B", v);
  if (key == "local_apply_us") return absl::StrFormat("%.1f µs", v);
  if (v >= 10 * 1024) return absl::StrFormat("%.1f MiB", v / 1024);  // memory, in KiB
  return absl::StrFormat("%.0f KiB", v);
}

std::string Ratio(double ratio) {
  if (!std::isfinite(ratio)) return "n/a";
  return ratio >= 10 ? absl::StrFormat("%.0fx", ratio) : absl::StrFormat("%.1fx", ratio);
}

double RatioTo(double value, double best) {
  if (best == 0) return value == 0 ? 1 : INFINITY;
  return value / best;
}

Shade ByRatio(double ratio) {
  if (ratio <= 1.5) return Shade::kNear;
  if (ratio <= 4) return Shade::kFar;
  return Shade::kWorst;
}

double LossPercent(const Group& group) {
  const Estimate& loss = group.estimates[FigureIndex("loss_rate_pct")];
  return loss.count == 0 ? 0 : loss.mean;
}

// The first violation's invariant over the group's failed runs.
std::string FirstInvariant(const Group& group) {
  for (const results::RunResult* run : group.runs) {
    if (run->violations_size() > 0) return run->violations(0).invariant();
  }
  return "";
}

DecisionCell Correctness(const Group& group) {
  if (group.failed > 0) {
    return {absl::StrFormat("failed %d/%d (%s)", group.failed, group.runs.size(), FirstInvariant(group)), "",
            Shade::kFailed};
  }
  const double loss = LossPercent(group);
  if (loss > 0) return {absl::StrFormat("loses %.2g%% of words", loss), "", Shade::kFailed};
  return {"correct", "", Shade::kBest};
}

// What the engine adds to the ideal reference's figure: "≈ ideal" within
// seed noise (the tie rule of highlighting.h), else "+40 ms over ideal";
// bytes as a multiple ("6.1x ideal"). Empty without an ideal row.
std::string OverIdeal(const Aggregate& a, const std::string& scenario, const Group& group, const std::string& key) {
  const Group* ideal = Reference(a, scenario);
  const size_t k = FigureIndex(key);
  if (ideal == nullptr || ideal->estimates[k].count == 0) return "";
  const double mine = group.estimates[k].mean, floor = ideal->estimates[k].mean;
  if (key == "wire_bytes_per_edit") return Ratio(RatioTo(mine, floor)) + " ideal";
  if (TiesWith(group, *ideal, k)) return "≈ ideal";
  return absl::StrFormat("+%.0f ms over ideal", mine - floor);
}

DecisionCell FigureCell(const Aggregate& a, const std::string& scenario, const Group& group, const std::string& key) {
  const size_t k = FigureIndex(key);
  const Estimate& mine = group.estimates[k];
  if (key == "server_peak_kib" && !HasServer(group)) return {"no server", "", Shade::kNone};
  if (mine.count == 0) return {"n/a", "", Shade::kNone};
  const std::string note =
      key == "steady_p99_ms" || key == "wire_bytes_per_edit" ? OverIdeal(a, scenario, group, key) : "";
  const Group* best = BestTrusted(a, scenario, k);
  if (best == nullptr) return {Value(key, mine.mean), note, Shade::kNone};
  if (Trusted(group) && TiesWith(group, *best, k)) return {Value(key, mine.mean), note, Shade::kBest};
  const double ratio = RatioTo(mine.mean, best->estimates[k].mean);
  return {absl::StrFormat("%s (%s)", Value(key, mine.mean), Ratio(ratio)), note, ByRatio(std::max(ratio, 1.0))};
}

// What the network alone costs (the ideal reference), and what the engines
// add to it in steady state.
std::string IdealSentence(const Aggregate& a, const std::string& scenario) {
  const Group* ideal = Reference(a, scenario);
  if (ideal == nullptr) return "";
  const size_t p99 = FigureIndex("steady_p99_ms"), bytes = FigureIndex("wire_bytes_per_edit");
  if (ideal->estimates[p99].count == 0) return "";
  std::vector<std::string> within, over;
  for (const std::string& engine : ChoiceEngines(a)) {
    const Group* group = a.Find(scenario, engine);
    if (group == nullptr || group->estimates[p99].count == 0) continue;
    if (TiesWith(*group, *ideal, p99)) {
      within.push_back(engine);
    } else {
      over.push_back(absl::StrFormat("%s +%.0f ms", engine, group->estimates[p99].mean - ideal->estimates[p99].mean));
    }
  }
  std::string sentence = absl::StrFormat("The network alone (the ideal reference): %s steady p99, %s per edit.",
                                         Value("steady_p99_ms", ideal->estimates[p99].mean),
                                         Value("wire_bytes_per_edit", ideal->estimates[bytes].mean));
  if (!within.empty()) absl::StrAppend(&sentence, " Within seed noise of it: ", absl::StrJoin(within, ", "), ".");
  if (!over.empty()) absl::StrAppend(&sentence, " Adding to it: ", absl::StrJoin(over, ", "), ".");
  return sentence;
}

std::vector<std::string> Sentences(const Aggregate& a, const std::string& scenario) {
  std::vector<std::string> sentences;
  std::vector<std::string> correct;
  const std::vector<std::string> engines = ChoiceEngines(a);
  for (const std::string& engine : engines) {
    const Group* group = a.Find(scenario, engine);
    if (group == nullptr) continue;
    if (Trusted(*group)) {
      correct.push_back(engine);
    } else if (group->failed > 0) {
      sentences.push_back(absl::StrFormat("%s failed %d of %d runs (%s): see Failures.", engine, group->failed,
                                          group->runs.size(), FirstInvariant(*group)));
    }
  }
  if (!correct.empty()) {
    sentences.insert(sentences.begin(), absl::StrFormat("Correct on every seed and lost nothing: %s.",
                                                        absl::StrJoin(correct, ", ")));
  }
  // Where the correct engines differ, beyond seed noise, by 20% or more.
  for (const Wording& wording : Wordings()) {
    const size_t k = FigureIndex(wording.key);
    const Group* best = BestTrusted(a, scenario, k);
    if (best == nullptr) continue;
    std::vector<std::string> tied = {best->engine}, behind;
    for (const std::string& engine : correct) {
      const Group* group = a.Find(scenario, engine);
      if (group == best || !Comparable(*group, k)) continue;
      const double ratio = RatioTo(group->estimates[k].mean, best->estimates[k].mean);
      if (TiesWith(*group, *best, k)) {
        tied.push_back(engine);
      } else if (ratio >= 1.2) {
        behind.push_back(absl::StrFormat("%s %s", engine, Ratio(ratio)));
      }
    }
    if (behind.empty()) continue;
    sentences.push_back(absl::StrFormat("%s: %s best (%s%s), %s.", wording.noun, absl::StrJoin(tied, ", "),
                                        Value(wording.key, best->estimates[k].mean), tied.size() > 1 ? ", a tie" : "",
                                        absl::StrJoin(behind, ", ")));
  }
  // What an engine that loses words buys with it.
  for (const std::string& engine : engines) {
    const Group* group = a.Find(scenario, engine);
    if (group == nullptr || group->failed > 0 || Trusted(*group)) continue;
    std::vector<std::string> gains;
    for (const Wording& wording : Wordings()) {
      const size_t k = FigureIndex(wording.key);
      const Group* best = BestTrusted(a, scenario, k);
      if (best == nullptr || !Comparable(*group, k)) continue;
      const double ratio = RatioTo(best->estimates[k].mean, group->estimates[k].mean);
      if (ratio >= 1.2) gains.push_back(absl::StrFormat("%s %s than %s", Ratio(ratio), wording.less, best->engine));
    }
    const std::string loss = absl::StrFormat("loses %.2g%% of the words typed", LossPercent(*group));
    sentences.push_back(gains.empty() ? absl::StrFormat("%s %s and is ahead on nothing else.", engine, loss)
                                      : absl::StrFormat("%s: %s, but %s.", engine, absl::StrJoin(gains, ", "), loss));
  }
  if (std::string ideal = IdealSentence(a, scenario); !ideal.empty()) sentences.push_back(std::move(ideal));
  return sentences;
}

const char* ShadeClass(Shade shade) {
  switch (shade) {
    case Shade::kBest: return "d-best";
    case Shade::kNear: return "d-near";
    case Shade::kFar: return "d-far";
    case Shade::kWorst: return "d-worst";
    case Shade::kFailed: return "d-failed";
    case Shade::kNone: return "d-none";
  }
  return "d-none";
}

}  // namespace

const std::vector<DecisionFigure>& DecisionFigures() {
  static const auto* const figures = new std::vector<DecisionFigure>{
      {"correctness", "correct"},          {"steady_p99_ms", "steady p99"}, {"wire_bytes_per_edit", "bytes/edit"},
      {"server_peak_kib", "server memory"}, {"client_peak_kib", "client memory"}, {"local_apply_us", "CPU/op"},
  };
  return *figures;
}

std::vector<ScenarioDecision> Decide(const Aggregate& a) {
  std::vector<ScenarioDecision> decisions;
  for (const std::string& scenario : a.scenarios) {
    ScenarioDecision decision{scenario};
    for (const std::string& engine : ChoiceEngines(a)) {
      EngineDecision entry{engine};
      const Group* group = a.Find(scenario, engine);
      entry.ran = group != nullptr;
      if (group != nullptr) {
        for (const DecisionFigure& figure : DecisionFigures()) {
          entry.cells.push_back(figure.key == "correctness" ? Correctness(*group)
                                                            : FigureCell(a, scenario, *group, figure.key));
        }
      }
      decision.engines.push_back(std::move(entry));
    }
    decision.sentences = Sentences(a, scenario);
    decisions.push_back(std::move(decision));
  }
  return decisions;
}

std::string DecisionMarkdown(const std::vector<ScenarioDecision>& decisions, const std::vector<std::string>& engines) {
  std::vector<std::string> labels;
  for (const DecisionFigure& figure : DecisionFigures()) labels.push_back(figure.label);
  std::string out = absl::StrFormat(
      "## Verdict\n\nPer scenario and engine: %s. Bold: the best engine of the scenario or not significantly "
      "behind it (Welch's t over seeds at 95%%); an engine that failed or lost words is never bold. Other cells "
      "give the ratio to the best correct engine. Latency and bytes are also set against the ideal reference (the "
      "network alone, no overhead): \"≈ ideal\" where the difference is within seed noise.\n\n| scenario | %s |\n|---|",
      absl::StrJoin(labels, " / "), absl::StrJoin(engines, " | "));
  for (size_t e = 0; e < engines.size(); ++e) out += "---|";
  out += "\n";
  for (const ScenarioDecision& decision : decisions) {
    out += "| " + decision.scenario + " |";
    for (const EngineDecision& entry : decision.engines) {
      if (!entry.ran) {
        out += " does not apply |";
        continue;
      }
      std::vector<std::string> lines;
      for (const DecisionCell& cell : entry.cells) {
        const std::string text = cell.note.empty() ? cell.text : cell.text + ", " + cell.note;
        lines.push_back(cell.shade == Shade::kBest ? "**" + text + "**" : text);
      }
      out += " " + absl::StrJoin(lines, "<br>") + " |";
    }
    out += "\n";
  }
  for (const ScenarioDecision& decision : decisions) {
    out += absl::StrFormat("\n**%s.** %s\n", decision.scenario, absl::StrJoin(decision.sentences, " "));
  }
  return out;
}

std::string DecisionHtml(const std::vector<ScenarioDecision>& decisions, const std::vector<std::string>& engines) {
  std::string html =
      "<h2>Verdict</h2>\n<p>One cell per scenario and engine: correctness, steady-state p99 edit latency, wire "
      "bytes per edit, server and client memory peak, measured CPU per local op. Green: the best engine of the "
      "scenario or not significantly behind it (Welch's t over seeds at 95%); yellow within 1.5x of it, orange "
      "within 4x, red beyond, or a failed run or lost words. An engine that failed or lost words is never "
      "green. Latency and bytes are also set against the ideal reference (every edit delivered after the "
      "network's own delay, the wire charged only the edit's own size): \"≈ ideal\" where the difference is "
      "within seed noise.</p>\n<table class=\"verdict\"><tr><th>scenario</th>";
  for (const std::string& engine : engines) html += "<th>" + HtmlEscape(engine) + "</th>";
  html += "</tr>\n";
  for (const ScenarioDecision& decision : decisions) {
    html += "<tr><td>" + HtmlEscape(decision.scenario) + "</td>";
    for (const EngineDecision& entry : decision.engines) {
      if (!entry.ran) {
        html += "<td class=\"d-none\">does not apply</td>";
        continue;
      }
      html += "<td>";
      for (size_t k = 0; k < entry.cells.size(); ++k) {
        const DecisionCell& cell = entry.cells[k];
        html += absl::StrFormat("<div class=\"%s\" title=\"%s\">%s%s</div>", ShadeClass(cell.shade),
                                HtmlEscape(DecisionFigures()[k].label), HtmlEscape(cell.text),
                                cell.note.empty() ? "" : "<span class=\"vs-ideal\">" + HtmlEscape(cell.note) + "</span>");
      }
      html += "</td>";
    }
    html += "</tr>\n";
  }
  html += "</table>\n<ul class=\"tradeoffs\">\n";
  for (const ScenarioDecision& decision : decisions) {
    html += "<li><b>" + HtmlEscape(decision.scenario) + ".</b> " +
            HtmlEscape(absl::StrJoin(decision.sentences, " ")) + "</li>\n";
  }
  return html + "</ul>\n";
}

}  // namespace collabsim::reports

// The verdict a report opens with: per scenario x engine, the figures that
// decide a choice (correctness, steady-state latency, bytes per edit,
// server and client memory, CPU per op), each shaded against the best
// trusted engine of that scenario with the highlighting rules (ties by
// Welch's t; engines that failed or lost words never best), and a few
// generated sentences per scenario naming the trade-offs.
#pragma once

#include <string>
#include <vector>

#include "reports/aggregate.h"

namespace collabsim::reports {

// kBest: the best or tied with it; kNear: within 1.5x; kFar: within 4x;
// kWorst: beyond; kFailed: a failed run or lost words; kNone: n/a.
enum class Shade { kNone, kBest, kNear, kFar, kWorst, kFailed };

struct DecisionCell {
  std::string text;  // "118 ms" for the best, "165 ms (1.4x)" otherwise
  std::string note;  // against the ideal: "≈ ideal", "+40 ms over ideal", "6.1x ideal"
  Shade shade = Shade::kNone;
};

struct DecisionFigure {
  std::string key;    // "correctness" or a SummaryFigures() key
  std::string label;  // column heading
};

// Correctness first, then the figures in the order a reader weighs them.
const std::vector<DecisionFigure>& DecisionFigures();

struct EngineDecision {
  std::string engine;
  bool ran = false;                 // false: the pair was not run (it does not apply)
  std::vector<DecisionCell> cells;  // one per DecisionFigures()
};

struct ScenarioDecision {
  std::string scenario;
  std::vector<EngineDecision> engines;  // in the aggregate's engine order
  std::vector<std::string> sentences;
};

std::vector<ScenarioDecision> Decide(const Aggregate& aggregate);

// The verdict as Markdown (summary.md) and as an HTML section (index.html).
std::string DecisionMarkdown(const std::vector<ScenarioDecision>& decisions, const std::vector<std::string>& engines);
std::string DecisionHtml(const std::vector<ScenarioDecision>& decisions, const std::vector<std::string>& engines);

}  // namespace collabsim::reports

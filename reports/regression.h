// A results file against a baseline (an earlier run's results.json): for
// every scenario x engine both hold and every summary figure, the change of
// the mean over seeds and whether it is more than seed noise. What `diff`
// prints and `compare --baseline` adds to its report; with --fail-on rules
// (`p99_ms>+10%,wire_bytes_per_edit>+5%`), the changes that fail a build.
//
// Significance: the simulated figures are deterministic per seed, so a
// change on the same seeds is tested paired by seed (Student's t on the
// differences); on different seed sets, Welch's t. Bytes, messages and
// memory are compared exactly: any change of the mean counts. A change is
// significant at p < 0.05. CPU time measured on the machine that ran is
// reported apart: its noise is the machine's load as much as the code.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "results.pb.h"

namespace collabsim::reports {

struct FigureChange {
  std::string scenario;
  std::string engine;
  std::string figure;  // a SummaryFigures() key
  std::string label;
  double baseline = 0;  // means over seeds
  double current = 0;
  double change = 0;    // (current - baseline) / |baseline|; 0 when both are 0
  std::string test;     // "exact", "paired t", "Welch t", "too few seeds"
  double p = 1;         // two-sided; 0 for an exact change, 1 for none
  bool significant = false;
};

// A figure that may not grow by more than `max_increase` (0.1: +10%).
struct FailRule {
  std::string figure;
  double max_increase = 0;
};

// "p99_ms>+10%,wire_bytes_per_edit>+5%": InvalidArgument naming the part
// that is not `FIGURE>+N%` with a SummaryFigures() key.
absl::StatusOr<std::vector<FailRule>> ParseFailOn(std::string_view spec);

// Every figure of every scenario x engine in both files, in `current`'s
// order (scenarios sorted, engines in `engine_order`).
std::vector<FigureChange> CompareWithBaseline(const results::ResultsFile& baseline,
                                              const results::ResultsFile& current,
                                              const std::vector<std::string>& engine_order);

// The changes a rule forbids: significant, and worse than its bound.
std::vector<FigureChange> Regressions(const std::vector<FigureChange>& changes, const std::vector<FailRule>& rules);

// Markdown for a pull-request comment: the significant changes, then the
// regressions (or that there are none) under `rules`.
std::string RegressionMarkdown(const std::vector<FigureChange>& changes, const std::vector<FailRule>& rules,
                               const std::string& baseline_name);
// The same for index.html: the regressions' verdict first, then the table.
std::string RegressionHtml(const std::vector<FigureChange>& changes, const std::vector<FailRule>& rules,
                           const std::string& baseline_name);

}  // namespace collabsim::reports

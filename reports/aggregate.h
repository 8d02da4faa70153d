// Groups a results file by (scenario, engine) and computes, per group, each
// report figure as a mean with a 95% confidence interval over seeds, the
// merged latency distribution, and the mean memory timeline. Everything the
// Markdown, CSV, HTML and charts show comes from here, so they agree.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "reports/confidence.h"
#include "results.pb.h"

namespace collabsim::reports {

struct Figure {
  std::string key;    // column name in CSV and chart files
  std::string label;  // human label with unit
  int decimals = 1;
  // nullopt where the figure means nothing for that run (a loss rate where
  // no text was typed); such runs are left out of the group's estimate, and
  // a group with none shows "n/a".
  std::function<std::optional<double>(const results::RunResult&)> extract;
};

// Whether the run's workload typed text, so that the intent oracle's
// figures (words lost, loss rate) describe it: false for a canvas-only run.
bool TypedText(const results::RunResult& run);

// The figures of the summary tables, in column order. Lower is better for all.
const std::vector<Figure>& SummaryFigures();

struct Group {
  std::string scenario;
  std::string engine;
  std::vector<const results::RunResult*> runs;  // seed order
  size_t failed = 0;
  std::vector<Estimate> estimates;  // one per SummaryFigures() entry
  // Mean over runs of each latency quantile (p0..p100): a merged CDF, of
  // every remote delivery, of the steady-state ones, and of those a fault
  // delayed (empty where no run had such deliveries).
  std::vector<double> latency_quantiles_ms;
  std::vector<double> steady_quantiles_ms;
  std::vector<double> fault_delayed_quantiles_ms;
  // Mean over runs of the server's total memory at each sample index.
  std::vector<std::pair<double, double>> server_memory_kib;  // (at_s, KiB)
  // Mean over runs of the wire bytes sent so far at each sample index.
  std::vector<std::pair<double, double>> wire_kib;  // (at_s, KiB)
};

struct Aggregate {
  std::vector<std::string> scenarios;  // sorted
  std::vector<std::string> engines;    // in the given engine order
  std::vector<Group> groups;           // scenario-major
  std::string seeds;                   // e.g. "1-10" or "12 seeds"
  std::string version;

  // nullptr when that pair was not run.
  const Group* Find(const std::string& scenario, const std::string& engine) const;
  const results::ScenarioInfo* Scenario(const std::string& name) const;

  const results::ResultsFile* file = nullptr;
};

// Sorts runs by (scenario name, engine rank, seed) and scenario infos by name;
// engines absent from `engine_order` sort after the listed ones, by name.
void Canonicalize(const std::vector<std::string>& engine_order, results::ResultsFile* file);

// REQUIRES: `file` canonicalized and outliving the Aggregate.
Aggregate AggregateResults(const results::ResultsFile& file, const std::vector<std::string>& engine_order);

// "1-10", "3, 5, 9", or "120 seeds" for long irregular sets.
std::string DescribeSeeds(std::vector<uint64_t> seeds);

}  // namespace collabsim::reports

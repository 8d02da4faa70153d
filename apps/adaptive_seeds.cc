// See adaptive_seeds.h.
#include "apps/adaptive_seeds.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "reports/aggregate.h"
#include "reports/confidence.h"
#include "reports/highlighting.h"

namespace collabsim::apps {

const std::vector<std::string>& KeyFigures() {
  static const auto* const keys =
      new std::vector<std::string>{"steady_p99_ms", "wire_bytes_per_edit", "server_peak_kib", "client_peak_kib"};
  return *keys;
}

std::optional<std::string> Unsettled(const std::vector<const results::RunResult*>& runs) {
  std::map<std::string, std::vector<const results::RunResult*>> by_engine;
  std::vector<std::string> engines;  // first-seen order, for a stable message
  for (const results::RunResult* run : runs) {
    if (!by_engine.contains(run->engine())) engines.push_back(run->engine());
    by_engine[run->engine()].push_back(run);
  }
  double widest = kSettledWithin;
  std::optional<std::string> why;
  for (const std::string& engine : engines) {
    for (const std::string& key : KeyFigures()) {
      const reports::Figure& figure = reports::SummaryFigures()[reports::FigureIndex(key)];
      std::vector<double> values;
      for (const results::RunResult* run : by_engine[engine]) {
        if (const std::optional<double> v = figure.extract(*run)) values.push_back(*v);
      }
      if (values.size() < 2) continue;  // nothing to judge: more seeds would not tell
      const reports::Estimate estimate = reports::MeanWithConfidence(values);
      if (estimate.half_width == 0) continue;
      const double relative = estimate.mean == 0 ? INFINITY : estimate.half_width / std::fabs(estimate.mean);
      if (relative > widest) {
        widest = relative;
        why = absl::StrFormat("%s %s ±%.0f%% of its mean", engine, figure.label, 100 * relative);
      }
    }
  }
  return why;
}

results::ResultsFile RunAdaptively(const Suite& suite, int jobs, const std::function<void(const std::string&)>& on_round,
                                   const std::function<void(const Progress&)>& on_progress, uint64_t event_budget) {
  results::ResultsFile all;
  std::vector<size_t> open;  // indexes into suite.scenarios still taking seeds
  for (size_t i = 0; i < suite.scenarios.size(); ++i) open.push_back(i);
  std::vector<std::string> choice(suite.scenarios.size());
  size_t used = 0;
  for (int round = 1; !open.empty(); ++round) {
    const size_t take = std::min(used == 0 ? kFirstSeeds : kMoreSeeds, suite.seeds.size() - used);
    Suite part;
    part.engines = suite.engines;
    part.swarm = suite.swarm;
    part.seeds.assign(suite.seeds.begin() + used, suite.seeds.begin() + used + take);
    for (size_t i : open) part.scenarios.push_back(suite.scenarios[i]);
    if (on_round) {
      on_round(absl::StrFormat("round %d: %d scenario%s x seeds %s = %d runs", round, open.size(),
                               open.size() == 1 ? "" : "s", reports::DescribeSeeds(part.seeds), part.CaseCount()));
    }
    results::ResultsFile file = RunSuite(part, jobs, Shard{}, on_progress);
    if (round == 1) *all.mutable_scenarios() = file.scenarios();
    for (auto& run : *file.mutable_runs()) *all.add_runs() = std::move(run);
    all.set_collabsim_version(file.collabsim_version());
    used += take;
    std::vector<size_t> still_open;
    for (size_t i : open) {
      std::vector<const results::RunResult*> runs;
      uint64_t events = 0;
      for (const auto& run : all.runs()) {
        if (run.scenario() != suite.scenarios[i].scenario.name()) continue;
        runs.push_back(&run);
        events += run.events();
      }
      const std::optional<std::string> why = Unsettled(runs);
      const std::string seeds = reports::DescribeSeeds({suite.seeds.begin(), suite.seeds.begin() + used});
      if (!why.has_value()) {
        choice[i] = absl::StrFormat("%s, chosen adaptively: every engine's key figures (%s) have a 95%% "
                                    "interval within %.0f%% of their mean",
                                    seeds, absl::StrJoin(KeyFigures(), ", "), 100 * kSettledWithin);
      } else if (used == suite.seeds.size()) {
        choice[i] = absl::StrFormat("%s, the cap of the adaptive choice: %s", seeds, *why);
      } else if (events >= event_budget) {
        choice[i] = absl::StrFormat("%s, where its runs reached the adaptive choice's budget of %.3gM simulator "
                                    "events (%.3gM): %s",
                                    seeds, static_cast<double>(event_budget) / 1e6, static_cast<double>(events) / 1e6, *why);
      } else {
        still_open.push_back(i);
      }
    }
    open = std::move(still_open);
  }
  for (auto& info : *all.mutable_scenarios()) {
    for (size_t i = 0; i < suite.scenarios.size(); ++i) {
      if (suite.scenarios[i].scenario.name() == info.name()) info.set_seed_choice(choice[i]);
    }
  }
  return all;
}

}  // namespace collabsim::apps

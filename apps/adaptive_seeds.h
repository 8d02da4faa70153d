// `compare --adaptive`: seeds chosen per scenario from the results so far,
// so a quick comparison still carries confidence intervals worth reading.
// Every scenario starts with the first kFirstSeeds seeds of the list; one
// whose key figures are still uncertain on some engine gets the next
// kMoreSeeds, round after round, until all of them are settled, the list
// runs out, or the scenario has used its event budget. The choice depends only on the (deterministic) runs,
// so the same command picks the same seeds on any machine and for any --jobs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "apps/suite_runner.h"
#include "results.pb.h"

namespace collabsim::apps {

inline constexpr size_t kFirstSeeds = 3;
inline constexpr size_t kMoreSeeds = 2;
// A key figure is settled when the half-width of its 95% interval is at most
// this fraction of its mean.
inline constexpr double kSettledWithin = 0.10;
// The per-scenario cap besides the seed list: no more seeds once the
// scenario's runs (every engine) have processed this many simulator events.
// Events, not seconds, so the choice stays the same on any machine. It keeps
// the crowds at their first three seeds (az-failure, all-hands and
// hundred-editors process 27-35M events in them, three quarters of a
// one-seed suite's CPU) and stops town-hall and plane (about 2M events a
// seed) by their seventh; small scenarios never come near it.
inline constexpr uint64_t kEventBudget = 12'000'000;

// The figures a choice of engine rests on (SummaryFigures() keys): steady-
// state p99 latency, wire bytes per edit, server and client memory peak.
// Measured CPU is left out: its noise is the machine's, not the seeds'.
const std::vector<std::string>& KeyFigures();

// Why the scenario's runs (every engine, the seeds so far) are not enough:
// "crdt steady-state p99 latency (ms) ±14% of its mean", the widest
// interval; nullopt when every engine's key figures are settled.
std::optional<std::string> Unsettled(const std::vector<const results::RunResult*>& runs);

// Runs `suite` in rounds with its seed list as the cap; each scenario's
// ScenarioInfo.seed_choice says which seeds it got and why it stopped.
// `on_round` is called before each round with a line saying what it runs.
results::ResultsFile RunAdaptively(const Suite& suite, int jobs, const std::function<void(const std::string&)>& on_round,
                                   const std::function<void(const Progress&)>& on_progress,
                                   uint64_t event_budget = kEventBudget);

}  // namespace collabsim::apps

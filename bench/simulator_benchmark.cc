// Whole simulated runs: how many message deliveries per wall second the
// simulator sustains with the OT engine, on `team` and on the 50-user,
// 10-simulated-minute `all-hands`. Invariant checks are off, as in release.
#include <benchmark/benchmark.h>

#include "engines/ot/ot_engine.h"
#include "sim/scenario_loader.h"
#include "sim/world.h"

namespace collabsim::sim {
namespace {

void BM_Scenario(benchmark::State& state, const char* name) {
  auto scenario = LoadScenario(name);
  if (!scenario.ok()) {
    state.SkipWithError(std::string(scenario.status().message()).c_str());
    return;
  }
  RunOptions options;
  options.check_invariants = false;
  uint64_t seed = 1;
  uint64_t messages = 0, events = 0;
  for (auto _ : state) {
    const results::RunResult result = World(*scenario, OtEngine(), seed++, options).Run();
    if (!result.converged()) state.SkipWithError("run did not converge");
    messages += result.messages();
    events += result.events();
  }
  state.counters["deliveries_per_s"] = benchmark::Counter(static_cast<double>(messages), benchmark::Counter::kIsRate);
  state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["messages_per_run"] =
      benchmark::Counter(static_cast<double>(messages), benchmark::Counter::kAvgIterations);
}

BENCHMARK_CAPTURE(BM_Scenario, team, "team")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Scenario, all_hands_50_users_10_min, "all-hands")->Unit(benchmark::kMillisecond)->MinTime(3);

}  // namespace
}  // namespace collabsim::sim

// compare --adaptive: a scenario whose figures do not move with the seed
// stops at the first seeds, a noisy one takes more up to the cap, the
// reason is written down, and the choice does not depend on --jobs.
#include "apps/adaptive_seeds.h"

#include <gtest/gtest.h>

#include "engines/registry.h"
#include "tests/apps/deterministic_results.h"
#include "reports/aggregate.h"
#include "reports/results_file.h"
#include "sim/scenario_loader.h"

namespace collabsim::apps {
namespace {

results::RunResult SeedRun(const std::string& engine, uint64_t seed, double steady_p99_ms, uint64_t wire_bytes) {
  results::RunResult run;
  run.set_scenario("s");
  run.set_engine(engine);
  run.set_seed(seed);
  run.set_edit_intents(10);
  run.set_wire_bytes(wire_bytes);
  run.mutable_steady_remote_visible()->set_samples(10);
  run.mutable_steady_remote_visible()->set_p99_ms(steady_p99_ms);
  return run;
}

TEST(AdaptiveSeeds, UnsettledNamesTheWidestInterval) {
  const std::vector<results::RunResult> steady = {SeedRun("ot", 1, 100, 1000), SeedRun("ot", 2, 101, 1000),
                                                  SeedRun("ot", 3, 99, 1000)};
  std::vector<const results::RunResult*> runs;
  for (const auto& run : steady) runs.push_back(&run);
  EXPECT_EQ(Unsettled(runs), std::nullopt);
  // crdt's bytes spread far more than ot's latency does.
  const std::vector<results::RunResult> noisy = {SeedRun("crdt", 1, 100, 1000), SeedRun("crdt", 2, 140, 2000),
                                                 SeedRun("crdt", 3, 100, 600)};
  for (const auto& run : noisy) runs.push_back(&run);
  const std::optional<std::string> why = Unsettled(runs);
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(why->rfind("crdt wire bytes per edit ±", 0), 0u) << *why;
}

SuiteScenario Scenario(const std::string& text, const std::string& name) {
  auto scenario = sim::ParseScenario(text, name);
  EXPECT_TRUE(scenario.ok()) << scenario.status();
  return SuiteScenario{name, *scenario};
}

Suite TwoScenarios() {
  Suite suite;
  // Constant links and a script: every seed gives the same figures.
  suite.scenarios.push_back(Scenario(R"(
    name: "constant" description: "2 users, scripted, constant links"
    groups { count: 2 link { latency { constant_ms: 50 } } }
    active_s: 5 converge_within_s: 10
    script { at_s: 0.1 user: 1 type { at: 0 word: "hello" } }
    script { at_s: 1 user: 2 type { at: 999 word: "world" } })", "constant.textproto"));
  auto team = sim::LoadScenario("team");
  EXPECT_TRUE(team.ok());
  team->set_active_s(30);
  suite.scenarios.push_back(SuiteScenario{"team", *team});
  suite.engines = ComparedEngines();
  suite.seeds = {1, 2, 3, 4, 5, 6, 7};
  return suite;
}

size_t RunsOf(const results::ResultsFile& file, const std::string& scenario, const std::string& engine) {
  size_t n = 0;
  for (const auto& run : file.runs()) n += run.scenario() == scenario && run.engine() == engine ? 1 : 0;
  return n;
}

TEST(AdaptiveSeeds, ConstantScenariosStopEarlyNoisyOnesTakeMoreAndTheReasonIsKept) {
  const Suite suite = TwoScenarios();
  std::vector<std::string> rounds;
  const results::ResultsFile file =
      RunAdaptively(suite, 2, [&](const std::string& line) { rounds.push_back(line); }, nullptr);
  EXPECT_EQ(RunsOf(file, "constant", "ot"), kFirstSeeds);
  const size_t team_runs = RunsOf(file, "team", "ot");
  EXPECT_GT(team_runs, kFirstSeeds);
  EXPECT_LE(team_runs, suite.seeds.size());
  ASSERT_GE(rounds.size(), 2u);
  EXPECT_EQ(rounds[0], "round 1: 2 scenarios x seeds 1-3 = " + std::to_string(2 * 3 * suite.engines.size()) + " runs");
  EXPECT_EQ(rounds[1].rfind("round 2: 1 scenario x seeds 4-5", 0), 0u) << rounds[1];
  ASSERT_EQ(file.scenarios_size(), 2);
  for (const auto& info : file.scenarios()) {
    if (info.name() == "constant") {
      EXPECT_EQ(info.seed_choice().rfind("1-3, chosen adaptively", 0), 0u) << info.seed_choice();
    } else {
      EXPECT_EQ(info.seed_choice().rfind(reports::DescribeSeeds(std::vector<uint64_t>(
                                             suite.seeds.begin(), suite.seeds.begin() + team_runs)) + ", ",
                                         0),
                0u)
          << info.seed_choice();
    }
  }
}

TEST(AdaptiveSeeds, AScenarioStopsAtItsEventBudget) {
  const Suite suite = TwoScenarios();
  const results::ResultsFile file = RunAdaptively(suite, 2, nullptr, nullptr, /*event_budget=*/1000);
  EXPECT_EQ(RunsOf(file, "team", "ot"), kFirstSeeds);
  for (const auto& info : file.scenarios()) {
    if (info.name() != "team") continue;
    EXPECT_EQ(info.seed_choice().rfind("1-3, where its runs reached the adaptive choice's budget of 0.001M simulator "
                                       "events (",
                                       0),
              0u)
        << info.seed_choice();
  }
}

TEST(AdaptiveSeeds, TheChoiceDoesNotDependOnJobs) {
  const Suite suite = TwoScenarios();
  results::ResultsFile one = RunAdaptively(suite, 1, nullptr, nullptr);
  results::ResultsFile two = RunAdaptively(suite, 2, nullptr, nullptr);
  ClearMeasured(&one);
  ClearMeasured(&two);
  EXPECT_EQ(reports::ResultsToJson(one), reports::ResultsToJson(two));
}

}  // namespace
}  // namespace collabsim::apps

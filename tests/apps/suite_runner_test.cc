// compare's guarantees: the same results for any --jobs, and shards that
// merge back into exactly the unsharded run.
#include "apps/suite_runner.h"

#include <gtest/gtest.h>

#include "engines/registry.h"
#include "tests/apps/deterministic_results.h"
#include "reports/aggregate.h"
#include "reports/results_file.h"
#include "scenarios/builtin_scenarios.h"
#include "sim/scenario_loader.h"

namespace collabsim::apps {
namespace {

Suite SmallSuite() {
  Suite suite;
  for (const char* name : {"team", "two-continents"}) {
    auto scenario = sim::LoadScenario(name);
    EXPECT_TRUE(scenario.ok());
    scenario->set_active_s(30);
    suite.scenarios.push_back(SuiteScenario{name, *scenario});
  }
  suite.engines = ComparedEngines();
  suite.seeds = {4, 5, 6, 7, 8};
  return suite;
}

// results.json with the measured (non-deterministic) CPU time removed.
std::string Deterministic(results::ResultsFile file) {
  ClearMeasured(&file);
  reports::Canonicalize({"ot"}, &file);
  return reports::ResultsToJson(file);
}

TEST(SuiteRunner, JobsDoNotChangeResults) {
  const Suite suite = SmallSuite();
  const std::string one = Deterministic(RunSuite(suite, 1, Shard{}, nullptr));
  const std::string two = Deterministic(RunSuite(suite, 2, Shard{}, nullptr));
  EXPECT_EQ(one, two);
  EXPECT_EQ(one, Deterministic(RunSuite(suite, 1, Shard{}, nullptr)));
}

TEST(SuiteRunner, ShardsMergeIntoTheUnshardedRun) {
  const Suite suite = SmallSuite();
  const results::ResultsFile whole = RunSuite(suite, 2, Shard{}, nullptr);
  results::ResultsFile merged = RunSuite(suite, 1, Shard{1, 3}, nullptr);
  size_t total = merged.runs_size();
  for (uint32_t i = 2; i <= 3; ++i) {
    const results::ResultsFile part = RunSuite(suite, 1, Shard{i, 3}, nullptr);
    EXPECT_GT(part.runs_size(), 0);
    total += part.runs_size();
    for (const auto& run : part.runs()) *merged.add_runs() = run;
  }
  EXPECT_EQ(total, suite.CaseCount());
  EXPECT_EQ(Deterministic(merged), Deterministic(whole));
}

TEST(SuiteRunner, ParsesShards) {
  EXPECT_EQ(ParseShard("2/4")->index, 2u);
  for (const char* bad : {"0/4", "5/4", "1/0", "x", "1/", "/2", "1-2", "-1/2"}) EXPECT_FALSE(ParseShard(bad).ok()) << bad;
}

TEST(SuiteRunner, LoadsSuitesFromADirectory) {
  EXPECT_EQ(LoadSuite("default")->size(), BuiltinScenarios().size());
  EXPECT_GE(BuiltinScenarios().size(), 6u);
  EXPECT_FALSE(LoadSuite("/no/such/dir").ok());
}

}  // namespace
}  // namespace collabsim::apps

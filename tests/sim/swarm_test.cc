// Swarm draws: valid scenarios, a function of the seed alone, varied across
// seeds, and only ever adding faults.
#include "sim/swarm.h"

#include <gtest/gtest.h>

#include <set>

#include "google/protobuf/text_format.h"
#include "scenarios/builtin_scenarios.h"
#include "sim/scenario_loader.h"

namespace collabsim::sim {
namespace {

TEST(Swarm, EveryDrawIsAValidScenarioThatOnlyAddsFaults) {
  for (const BuiltinScenario& builtin : BuiltinScenarios()) {
    const scenario::Scenario base = *LoadScenario(builtin.name);
    for (uint64_t seed = 1; seed <= 200; ++seed) {
      const SwarmDraw draw = ApplySwarm(base, seed);
      std::string text;
      ASSERT_TRUE(google::protobuf::TextFormat::PrintToString(draw.scenario, &text));
      const auto reparsed = ParseScenario(text, "swarm");
      ASSERT_TRUE(reparsed.ok()) << builtin.name << " seed " << seed << ": " << reparsed.status();
      EXPECT_GE(draw.scenario.storms_size(), base.storms_size());
      EXPECT_GE(draw.scenario.partitions_size(), base.partitions_size());
      EXPECT_GE(draw.scenario.offline_size(), base.offline_size());
      EXPECT_EQ(draw.scenario.require_probe_size(), base.require_probe_size());
      EXPECT_EQ(draw.scenario.expect_size(), 0) << "service levels are not for drawn faults";
      EXPECT_EQ(UserCount(draw.scenario), UserCount(base));
      if (base.drops().mean_interval_s() > 0) {
        EXPECT_EQ(draw.scenario.drops().mean_interval_s(), base.drops().mean_interval_s());
      }
    }
  }
}

TEST(Swarm, SomeBuiltinHasServiceLevelsForTheDrawToDrop) {
  EXPECT_GT(LoadScenario("two-continents")->expect_size(), 0);
}

TEST(Swarm, DrawsDependOnTheSeedAlone) {
  const scenario::Scenario base = *LoadScenario("team");
  std::set<std::string> summaries;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    const SwarmDraw a = ApplySwarm(base, seed);
    const SwarmDraw b = ApplySwarm(base, seed);
    EXPECT_EQ(a.summary, b.summary);
    EXPECT_EQ(a.scenario.SerializeAsString(), b.scenario.SerializeAsString());
    summaries.insert(a.summary);
  }
  EXPECT_GE(summaries.size(), 15u);  // many different combinations
  EXPECT_TRUE(summaries.contains("none"));  // and sometimes nothing extra
}

}  // namespace
}  // namespace collabsim::sim

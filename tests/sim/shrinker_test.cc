// Shrinking: delta debugging finds minimal subsets, and a failing ot-dopt
// seed shrinks to a small case that the written file alone reproduces.
#include "sim/shrinker.h"

#include <gtest/gtest.h>

#include <set>

#include "engines/registry.h"
#include "google/protobuf/text_format.h"
#include "sim/scenario_loader.h"
#include "sim/world.h"

namespace collabsim::sim {
namespace {

scenario::Scenario Load(const std::string& name) {
  auto scenario = LoadScenario(name);
  EXPECT_TRUE(scenario.ok()) << scenario.status();
  return *scenario;
}

const Engine& Named(const std::string& name) {
  auto engine = FindEngine(name);
  EXPECT_TRUE(engine.ok()) << engine.status();
  return **engine;
}

RunOptions Fast() {
  RunOptions options;
  options.check_invariants = false;
  return options;
}

TEST(MinimizeSubset, FindsTheItemsAMonotoneFailureNeeds) {
  const std::set<size_t> needed = {3, 17, 42, 99};
  uint64_t calls = 0;
  const std::vector<size_t> kept = MinimizeSubset(100, [&](const std::vector<size_t>& subset) {
    ++calls;
    size_t hits = 0;
    for (size_t k : subset) hits += needed.count(k);
    return hits == needed.size();
  });
  EXPECT_EQ(kept, std::vector<size_t>({3, 17, 42, 99}));
  EXPECT_LT(calls, 400u) << "far fewer trials than there are subsets";
}

TEST(MinimizeSubset, EdgeCases) {
  EXPECT_TRUE(MinimizeSubset(0, [](const std::vector<size_t>&) { return true; }).empty());
  EXPECT_TRUE(MinimizeSubset(5, [](const std::vector<size_t>&) { return true; }).empty()) << "nothing is needed";
  // A failure that needs everything keeps everything.
  EXPECT_EQ(MinimizeSubset(6, [](const std::vector<size_t>& s) { return s.size() == 6; }).size(), 6u);
  // A failure that needs any two adjacent items keeps exactly two.
  const std::vector<size_t> pair = MinimizeSubset(9, [](const std::vector<size_t>& s) {
    for (size_t k = 1; k < s.size(); ++k) {
      if (s[k] == s[k - 1] + 1) return true;
    }
    return false;
  });
  ASSERT_EQ(pair.size(), 2u);
  EXPECT_EQ(pair[1], pair[0] + 1);
}

// Random drops, recorded as the offline windows they amount to, can stand
// in for the drops: the same users go away at the same times for as long.
TEST(Shrink, RandomDropsAreRecordedAsOfflineWindows) {
  scenario::Scenario team = Load("team");
  team.set_active_s(120);
  team.clear_require_probe();
  std::vector<scenario::OfflineWindow> windows;
  RunOptions record = Fast();
  record.drops = &windows;
  const results::RunResult run = World(team, Named("ot"), 2, record).Run();
  ASSERT_GT(windows.size(), 0u);
  EXPECT_EQ(windows.size(), run.connection_drops());
  for (const auto& window : windows) {
    EXPECT_GE(window.user(), 1u);
    EXPECT_LE(window.user(), 5u);
    EXPECT_GE(window.start_s(), 0);
    EXPECT_LT(window.start_s(), 120);
    EXPECT_GE(window.duration_s(), 1.0) << "team reconnects after 1-5 s";
    EXPECT_LE(window.duration_s(), 5.0);
  }
  scenario::Scenario explicit_drops = team;
  explicit_drops.clear_drops();
  for (const auto& window : windows) *explicit_drops.add_offline() = window;
  const results::RunResult again = World(explicit_drops, Named("ot"), 2, Fast()).Run();
  EXPECT_EQ(again.connection_drops(), run.connection_drops());
  EXPECT_EQ(again.violations_size(), 0);
}

// What shrink must achieve: the dOPT negative control's failure on team shrinks
// to at most 3 users and about 10 actions, and the file it would write
// reproduces it on its own.
TEST(Shrink, TheDoptFailureShrinksToAFewUsersAndActions) {
  const scenario::Scenario team = Load("team");
  const Engine& dopt = Named("ot-dopt");
  uint64_t seed = 0;
  for (uint64_t s = 1; s <= 10 && seed == 0; ++s) {
    const results::RunResult run = World(team, dopt, s, Fast()).Run();
    if (!run.violations().empty() && run.violations(0).invariant() == "convergence") seed = s;
  }
  ASSERT_NE(seed, 0u);
  std::vector<std::string> progress;
  ShrinkOptions options;
  options.progress = [&](const std::string& line) { progress.push_back(line); };
  absl::StatusOr<ShrinkResult> shrunk = Shrink(team, dopt, seed, options);
  ASSERT_TRUE(shrunk.ok()) << shrunk.status();
  EXPECT_EQ(shrunk->invariant, "convergence");
  EXPECT_EQ(shrunk->before.users, 5u);
  EXPECT_GT(shrunk->before.actions, 500u);
  EXPECT_LE(shrunk->after.users, 3u);
  EXPECT_LE(shrunk->after.actions, 12u);
  EXPECT_FALSE(shrunk->budget_exhausted);
  EXPECT_FALSE(shrunk->steps.empty());
  EXPECT_EQ(shrunk->steps.front().rfind("recorded the workload as a script of", 0), 0u) << shrunk->steps.front();
  EXPECT_FALSE(progress.empty());
  EXPECT_NE(shrunk->detail.find("differ"), std::string::npos) << shrunk->detail;
  EXPECT_EQ(shrunk->scenario.name(), "team-shrunk");
  EXPECT_FALSE(shrunk->scenario.has_typing());
  EXPECT_EQ(shrunk->scenario.require_probe_size(), 0);
  // team's service levels are not what failed: the shrunk case drops them.
  ASSERT_GT(team.expect_size(), 0);
  EXPECT_EQ(shrunk->scenario.expect_size(), 0);
  // Written and read back as a file, it fails the same way.
  std::string text;
  google::protobuf::TextFormat::PrintToString(shrunk->scenario, &text);
  auto loaded = ParseScenario(text, "shrunk.textproto");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const results::RunResult again = World(*loaded, dopt, seed, Fast()).Run();
  ASSERT_FALSE(again.violations().empty());
  EXPECT_EQ(again.violations(0).invariant(), "convergence");
  // The same case on the real OT engine converges: the failure is dOPT's.
  EXPECT_EQ(World(*loaded, Named("ot"), seed, Fast()).Run().violations_size(), 0);
}

TEST(Shrink, AMissedServiceLevelShrinksWithItsBoundKept) {
  scenario::Scenario team = Load("team");
  team.set_active_s(20);
  team.clear_expect();
  scenario::Expectation* expect = team.add_expect();
  expect->set_edit_p99_ms(1);  // below any link's latency: every edit misses it
  absl::StatusOr<ShrinkResult> shrunk = Shrink(team, Named("ot"), 1);
  ASSERT_TRUE(shrunk.ok()) << shrunk.status();
  EXPECT_EQ(shrunk->invariant, "expectation");
  ASSERT_EQ(shrunk->scenario.expect_size(), 1);
  EXPECT_EQ(shrunk->scenario.expect(0).edit_p99_ms(), 1);
  EXPECT_LE(shrunk->after.users, 2u);
  EXPECT_LE(shrunk->after.actions, 1u);
  const results::RunResult again = World(shrunk->scenario, Named("ot"), 1, Fast()).Run();
  ASSERT_FALSE(again.violations().empty());
  EXPECT_EQ(again.violations(0).invariant(), "expectation");
}

TEST(Shrink, APassingSeedHasNothingToShrink) {
  scenario::Scenario team = Load("team");
  team.set_active_s(30);
  team.clear_require_probe();
  absl::StatusOr<ShrinkResult> shrunk = Shrink(team, Named("ot"), 1);
  ASSERT_FALSE(shrunk.ok());
  EXPECT_EQ(shrunk.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(shrunk.status().message()).find("seed 1 of team passes on ot: nothing to shrink"),
            std::string::npos)
      << shrunk.status();
}

// A spent budget stops the search and still returns a failing case.
TEST(Shrink, TheRunBudgetIsKept) {
  const scenario::Scenario team = Load("team");
  ShrinkOptions options;
  options.max_runs = 6;
  absl::StatusOr<ShrinkResult> shrunk = Shrink(team, Named("ot-dopt"), 1, options);
  ASSERT_TRUE(shrunk.ok()) << shrunk.status();
  EXPECT_TRUE(shrunk->budget_exhausted);
  EXPECT_LE(shrunk->runs, 6u);
  const results::RunResult again = World(shrunk->scenario, Named("ot-dopt"), 1, Fast()).Run();
  ASSERT_FALSE(again.violations().empty());
  EXPECT_EQ(again.violations(0).invariant(), shrunk->invariant);
}

TEST(Shrink, ALongNameStaysALoadableName) {
  // A 100-byte name of two-byte characters: "-shrunk" must not push the
  // written file past the loader's limit, nor cut a character in half.
  scenario::Scenario team = Load("team");
  std::string name;
  while (name.size() < kMaxNameBytes) name += "\xc3\xa9";
  team.set_name(name);
  ShrinkOptions options;
  options.max_runs = 3;
  absl::StatusOr<ShrinkResult> shrunk = Shrink(team, Named("ot-dopt"), 1, options);
  ASSERT_TRUE(shrunk.ok()) << shrunk.status();
  std::string text;
  google::protobuf::TextFormat::PrintToString(shrunk->scenario, &text);
  absl::StatusOr<scenario::Scenario> reloaded = ParseScenario(text, "shrunk");
  ASSERT_TRUE(reloaded.ok()) << reloaded.status();
  EXPECT_LE(reloaded->name().size(), kMaxNameBytes);
  EXPECT_EQ(reloaded->name().substr(reloaded->name().size() - 7), "-shrunk");
}

}  // namespace
}  // namespace collabsim::sim

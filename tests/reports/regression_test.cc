// Changes against a baseline: a shift the seeds all agree on is significant,
// noise is not, seed sets that differ get Welch's t, bytes are compared
// exactly, and --fail-on rules read as written or are refused.
#include "reports/regression.h"

#include <gtest/gtest.h>

namespace collabsim::reports {
namespace {

results::RunResult SeedRun(uint64_t seed, double p99_ms, uint64_t wire_bytes = 1000) {
  results::RunResult run;
  run.set_scenario("s");
  run.set_engine("ot");
  run.set_seed(seed);
  run.set_edit_intents(10);
  run.set_wire_bytes(wire_bytes);
  run.mutable_remote_visible()->set_p99_ms(p99_ms);
  return run;
}

results::ResultsFile File(const std::vector<results::RunResult>& runs) {
  results::ResultsFile file;
  for (const auto& run : runs) *file.add_runs() = run;
  return file;
}

const FigureChange& Find(const std::vector<FigureChange>& changes, const std::string& figure) {
  for (const FigureChange& change : changes) {
    if (change.figure == figure) return change;
  }
  ADD_FAILURE() << "no change row for " << figure;
  static const FigureChange none;
  return none;
}

TEST(Regression, EqualRunsShowNoChange) {
  const auto file = File({SeedRun(1, 100), SeedRun(2, 120), SeedRun(3, 90)});
  const auto changes = CompareWithBaseline(file, file, {"ot"});
  ASSERT_FALSE(changes.empty());
  for (const FigureChange& change : changes) EXPECT_FALSE(change.significant) << change.figure;
  EXPECT_EQ(Find(changes, "p99_ms").test, "paired t");
}

TEST(Regression, AShiftEverySeedAgreesOnIsSignificantNoiseIsNot) {
  const auto before = File({SeedRun(1, 100), SeedRun(2, 120), SeedRun(3, 90), SeedRun(4, 110)});
  const auto shifted = File({SeedRun(1, 111), SeedRun(2, 129), SeedRun(3, 101), SeedRun(4, 121)});
  const auto changes = CompareWithBaseline(before, shifted, {"ot"});
  const FigureChange& up = Find(changes, "p99_ms");
  EXPECT_TRUE(up.significant);
  EXPECT_LT(up.p, 0.001);
  EXPECT_NEAR(up.change, 10.5 / 105, 1e-9);  // means 105 -> 115.5
  const auto noisy = File({SeedRun(1, 130), SeedRun(2, 95), SeedRun(3, 115), SeedRun(4, 90)});  // mean 107.5, no consistent shift
  EXPECT_FALSE(Find(CompareWithBaseline(before, noisy, {"ot"}), "p99_ms").significant);
}

TEST(Regression, OtherSeedsGetWelchsTBytesAreExact) {
  const auto before = File({SeedRun(1, 100), SeedRun(2, 102), SeedRun(3, 98)});
  const auto after = File({SeedRun(7, 150, 1001), SeedRun(8, 152, 1001), SeedRun(9, 148, 1001)});
  const auto changes = CompareWithBaseline(before, after, {"ot"});
  const FigureChange& latency = Find(changes, "p99_ms");
  EXPECT_EQ(latency.test, "Welch t");
  EXPECT_TRUE(latency.significant);
  const FigureChange& bytes = Find(changes, "wire_bytes_per_edit");
  EXPECT_EQ(bytes.test, "exact");
  EXPECT_TRUE(bytes.significant) << "one byte more per run is a change, with no noise to hide in";
}

TEST(Regression, RulesFailOnlySignificantGrowthPastTheirBound) {
  const auto before = File({SeedRun(1, 100), SeedRun(2, 120), SeedRun(3, 90), SeedRun(4, 110)});
  const auto after = File({SeedRun(1, 108), SeedRun(2, 128), SeedRun(3, 98), SeedRun(4, 118)});  // +7.6%
  const auto changes = CompareWithBaseline(before, after, {"ot"});
  EXPECT_TRUE(Regressions(changes, *ParseFailOn("p99_ms>+10%")).empty());
  EXPECT_EQ(Regressions(changes, *ParseFailOn("p99_ms>+5%")).size(), 1u);
  EXPECT_TRUE(Regressions(CompareWithBaseline(after, before, {"ot"}), *ParseFailOn("p99_ms>+5%")).empty())
      << "getting faster is no regression";
  const std::string markdown = RegressionMarkdown(changes, *ParseFailOn("p99_ms>+5%"), "old.json");
  EXPECT_NE(markdown.find("- **s x ot**: p99_ms 105 -> 113 (+7.6%)"), std::string::npos) << markdown;
}

TEST(Regression, FailOnRulesAreParsedOrRefused) {
  const auto rules = ParseFailOn(" p99_ms>+10%, wire_bytes_per_edit>+0.5% ");
  ASSERT_TRUE(rules.ok()) << rules.status();
  ASSERT_EQ(rules->size(), 2u);
  EXPECT_EQ((*rules)[1].figure, "wire_bytes_per_edit");
  EXPECT_DOUBLE_EQ((*rules)[1].max_increase, 0.005);
  EXPECT_FALSE(ParseFailOn("p99_ms>10%").ok());
  EXPECT_FALSE(ParseFailOn("p99_ms>+10").ok());
  EXPECT_FALSE(ParseFailOn("p99_ms>+-3%").ok());
  EXPECT_FALSE(ParseFailOn("latency>+10%").ok());
  EXPECT_FALSE(ParseFailOn("").ok());
}

}  // namespace
}  // namespace collabsim::reports

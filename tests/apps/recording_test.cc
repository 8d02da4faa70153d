// Recordings: written and read back whole; a damaged or inconsistent file is
// refused with the field named; a replay against a recording whose step
// differs stops there and names it.
#include "apps/recording.h"

#include <fstream>

#include <gtest/gtest.h>

#include "engines/ot/ot_engine.h"
#include "sim/scenario_loader.h"

namespace collabsim::apps {
namespace {

std::string TempPath(const std::string& name) { return ::testing::TempDir() + name; }

recording::Recording RecordTeam(std::vector<sim::StepRecord>* steps) {
  scenario::Scenario scenario = *sim::LoadScenario("team");
  scenario.set_active_s(20);
  scenario.clear_require_probe();  // too short to reach them; not what is tested here
  sim::RunOptions options;
  options.record_steps = steps;
  const results::RunResult result = sim::World(scenario, OtEngine(), 5, options).Run();
  return MakeRecording("team", scenario, "ot", 5, false, *steps, result.trace_hash());
}

TEST(Recording, RoundTripsAndReplaysStepForStep) {
  std::vector<sim::StepRecord> steps;
  const recording::Recording made = RecordTeam(&steps);
  ASSERT_GT(steps.size(), 100u);
  const std::string path = TempPath("team.rec");
  ASSERT_TRUE(WriteRecording(path, made).ok());
  absl::StatusOr<recording::Recording> read = ReadRecording(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->SerializeAsString(), made.SerializeAsString());
  const std::vector<sim::StepRecord> expected = StepsOf(*read);
  sim::RunOptions options;
  options.expect_steps = &expected;
  const results::RunResult again = sim::World(read->scenario(), OtEngine(), read->seed(), options).Run();
  EXPECT_EQ(again.violations_size(), 0);
  EXPECT_EQ(again.trace_hash(), read->trace_hash());
}

TEST(Recording, ReplayNamesTheFirstStepThatDiffers) {
  std::vector<sim::StepRecord> steps;
  recording::Recording made = RecordTeam(&steps);
  made.set_step_digest(57, made.step_digest(57) ^ 1);  // step 58 recorded otherwise
  const std::vector<sim::StepRecord> expected = StepsOf(made);
  sim::RunOptions options;
  options.expect_steps = &expected;
  const results::RunResult again = sim::World(made.scenario(), OtEngine(), made.seed(), options).Run();
  ASSERT_EQ(again.violations_size(), 1);
  EXPECT_EQ(again.violations(0).invariant(), "determinism");
  EXPECT_NE(again.violations(0).detail().find("step 58 ("), std::string::npos) << again.violations(0).detail();
  EXPECT_EQ(again.events(), 58u);
}

TEST(Recording, DamagedFilesAreRefusedNamingTheField) {
  std::vector<sim::StepRecord> steps;
  const recording::Recording good = RecordTeam(&steps);
  struct Case {
    std::string name;
    recording::Recording recording;
    std::string expected;
  };
  std::vector<Case> cases;
  cases.push_back({"short column", good, "field step_kind has"});
  cases.back().recording.mutable_step_kind()->RemoveLast();
  cases.push_back({"no engine", good, "field engine is empty"});
  cases.back().recording.clear_engine();
  cases.push_back({"no steps", good, "field step_digest is empty"});
  cases.back().recording.clear_step_digest();
  cases.push_back({"bad scenario", good, "(recorded scenario)"});
  cases.back().recording.mutable_scenario()->set_active_s(-1);
  for (const Case& c : cases) {
    const std::string path = TempPath("bad.rec");
    ASSERT_TRUE(WriteRecording(path, c.recording).ok());
    absl::StatusOr<recording::Recording> read = ReadRecording(path);
    ASSERT_FALSE(read.ok()) << c.name;
    EXPECT_NE(std::string(read.status().message()).find(path), std::string::npos) << c.name;
    EXPECT_NE(std::string(read.status().message()).find(c.expected), std::string::npos) << c.name << ": "
                                                                                         << read.status();
  }
  const std::string garbage = TempPath("garbage.rec");
  std::ofstream(garbage) << "\xff\xff\xff not a recording";
  EXPECT_FALSE(ReadRecording(garbage).ok());
  EXPECT_FALSE(ReadRecording(TempPath("missing.rec")).ok());
}

}  // namespace
}  // namespace collabsim::apps

// Service levels (`expect { ... }`): every bound names a figure a run
// measures, a broken one says which with the measured value and the limit,
// bounds over seeds are judged on the mean, and mistakes in the block are
// refused at load time with file:line:column and the field.
#include "sim/expectations.h"

#include <gtest/gtest.h>

#include "google/protobuf/text_format.h"
#include "sim/scenario_loader.h"

namespace collabsim::sim {
namespace {

constexpr const char* kBase = R"(name: "t"
groups {
  count: 2
  link { latency { constant_ms: 10 } }
}
typing { words_per_minute: 40 burst_words_min: 1 burst_words_max: 3 pause_mean_s: 2 }
active_s: 10
converge_within_s: 10
)";

Expectations Parse(const std::string& blocks) {
  scenario::Scenario scenario;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(blocks, &scenario)) << blocks;
  return scenario.expect();
}

results::RunResult RunWith(double p99_ms, uint64_t probe_hits = 0) {
  results::RunResult run;
  run.mutable_remote_visible()->set_p99_ms(p99_ms);
  run.set_wire_bytes(1000);
  run.set_edit_intents(10);
  results::ProbeCount* probe = run.add_probes();
  probe->set_name("concurrent_insert_same_position");
  probe->set_count(probe_hits);
  return run;
}

TEST(Expectations, EveryBoundFieldNamesAFigureARunMeasures) {
  const results::RunResult run = RunWith(5);
  ASSERT_FALSE(ExpectationFigures().empty());
  for (const std::string& figure : ExpectationFigures()) {
    if (figure.starts_with("cursor_") || figure.starts_with("presence_")) {
      EXPECT_FALSE(ExpectationFigure(figure, run).has_value()) << figure << ": the run had no presence channel";
    } else if (figure.starts_with("steady_")) {
      EXPECT_FALSE(ExpectationFigure(figure, run).has_value()) << figure << ": the run had no steady delivery";
    } else {
      EXPECT_TRUE(ExpectationFigure(figure, run).has_value()) << figure;
    }
  }
  EXPECT_EQ(*ExpectationFigure("edit_p99_ms", run), 5);
  EXPECT_EQ(*ExpectationFigure("bytes_per_edit", run), 100);
  results::RunResult steady = run;
  steady.mutable_steady_remote_visible()->set_samples(3);
  steady.mutable_steady_remote_visible()->set_p95_ms(42);
  EXPECT_EQ(*ExpectationFigure("steady_edit_p95_ms", steady), 42);
}

TEST(Expectations, ABrokenBoundSaysWhatWasMeasuredAgainstWhat) {
  const Expectations expect = Parse("expect { edit_p99_ms: 200 bytes_per_edit: 150 }");
  EXPECT_TRUE(BrokenExpectations(expect, "ot", RunWith(200)).empty()) << "a bound is inclusive";
  const std::vector<std::string> broken = BrokenExpectations(expect, "ot", RunWith(241.7));
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_EQ(broken[0], "expect edit_p99_ms <= 200: measured 241.7");
}

TEST(Expectations, BlocksApplyToTheirEnginesOnly) {
  const Expectations expect = Parse(R"(expect { engines: "crdt-mesh" edit_p99_ms: 100 }
                                       expect { edit_p99_ms: 500 })");
  EXPECT_TRUE(BrokenExpectations(expect, "ot", RunWith(300)).empty());
  const std::vector<std::string> broken = BrokenExpectations(expect, "crdt-mesh", RunWith(300));
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_EQ(broken[0], "expect edit_p99_ms <= 100: measured 300");
}

TEST(Expectations, BoundsOverSeedsAreJudgedOnTheMeanOnly) {
  const Expectations expect = Parse("expect { over: SEEDS edit_p99_ms: 199 }");
  EXPECT_TRUE(BrokenExpectations(expect, "ot", RunWith(300)).empty()) << "not judged run by run";
  ExpectationMeans means;
  means.Add(RunWith(100));
  EXPECT_TRUE(BrokenExpectations(expect, "ot", means).empty());
  means.Add(RunWith(300));
  const std::vector<std::string> broken = BrokenExpectations(expect, "ot", means);
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_EQ(broken[0], "expect edit_p99_ms <= 199 (mean over seeds): measured 200, mean of 2 runs");
  // Bounds over runs are not judged on the mean.
  ExpectationMeans slow;
  slow.Add(RunWith(1000));
  EXPECT_TRUE(BrokenExpectations(Parse("expect { edit_p99_ms: 1 }"), "ot", slow).empty());
}

TEST(Expectations, AFigureTheRunDidNotMeasureFails) {
  const Expectations expect = Parse("expect { cursor_p95_ms: 100 }");
  const std::vector<std::string> broken = BrokenExpectations(expect, "ot", RunWith(1));
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_EQ(broken[0], "expect cursor_p95_ms <= 100: not measured in this run (the engine has no presence channel)");
}

TEST(Expectations, ProbeMinimums) {
  const Expectations expect =
      Parse(R"(expect { min_probes { probe: "concurrent_insert_same_position" count: 3 } })");
  EXPECT_TRUE(BrokenExpectations(expect, "ot", RunWith(1, 3)).empty());
  const std::vector<std::string> broken = BrokenExpectations(expect, "ot", RunWith(1, 2));
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_EQ(broken[0], "expect probe concurrent_insert_same_position >= 3: hit 2 times");
}

TEST(Expectations, MistakesAreRefusedWithTheirPlace) {
  struct Mistake {
    std::string block;
    std::string expected;
  };
  const std::vector<Mistake> mistakes = {
      {"expect { edit_p99_ms: -1 }", "t.textproto:9:10: field Expectation.edit_p99_ms: must be a finite number >= 0"},
      {"expect { edit_p99_ms: inf }", "field Expectation.edit_p99_ms: must be a finite number >= 0"},
      {"expect { loss_rate: 5 }", "field Expectation.loss_rate: is a share: must be in [0, 1]"},
      {"expect { engines: \"nope\" edit_p99_ms: 1 }", "t.textproto:9:10: field Expectation.engines: unknown engine 'nope'"},
      {"expect { engines: \"ot\" engines: \"ot\" edit_p99_ms: 1 }", "field Expectation.engines: names engine 'ot' twice"},
      {"expect { cursor_p95_ms: 100 }", "field Expectation.cursor_p95_ms: needs a `presence { ... }` block"},
      {"expect { min_probes { probe: \"nope\" count: 1 } }", "field ProbeMinimum.probe: unknown probe \"nope\""},
      {"expect { min_probes { probe: \"delete_delete_overlap\" } }", "field ProbeMinimum.count: must be at least 1"},
      {"expect { over: SEEDS }", "t.textproto:9:1: field Scenario.expect: sets no bound"},
  };
  for (const Mistake& m : mistakes) {
    auto scenario = ParseScenario(std::string(kBase) + m.block + "\n", "t.textproto");
    ASSERT_FALSE(scenario.ok()) << m.block;
    EXPECT_NE(std::string(scenario.status().message()).find(m.expected), std::string::npos)
        << m.block << ": got \"" << scenario.status().message() << "\"";
  }
  auto good = ParseScenario(std::string(kBase) + "expect { engines: \"ot\" over: SEEDS edit_p99_ms: 200 }\n", "t.textproto");
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->expect(0).over(), scenario::Expectation::SEEDS);
}

}  // namespace
}  // namespace collabsim::sim

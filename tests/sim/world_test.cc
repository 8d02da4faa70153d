// End-to-end runs: every engine converges on every built-in shape with
// intents intact, options that only observe change nothing, the history
// says what happened, and engines broken on purpose are caught (a checker
// that never fails proves nothing).
#include "sim/world.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "engines/common/probes.h"
#include "engines/common/register_write.h"
#include "engines/ot/ot_client.h"
#include "engines/ot/ot_engine.h"
#include "ot_wire.pb.h"
#include "engines/registry.h"
#include "scenarios/builtin_scenarios.h"
#include "sim/applicability.h"
#include "sim/scenario_loader.h"
#include "tests/sim/world_test_util.h"

namespace collabsim::sim {
namespace {

using world_testing::Load;
using world_testing::OtBasedEngine;
using world_testing::ScaledShape;
using world_testing::Short;

// The tests over every compared engine: one test per engine, so ctest
// spreads the engines over its jobs.
class EveryEngine : public testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    absl::StatusOr<const Engine*> found = FindEngine(GetParam());
    ASSERT_TRUE(found.ok()) << found.status();
    engine_ = *found;
  }
  const Engine* engine() const { return engine_; }

 private:
  const Engine* engine_ = nullptr;
};

std::vector<std::string> ComparedEngineNames() {
  std::vector<std::string> names;
  for (const Engine* engine : ComparedEngines()) names.push_back(engine->traits().name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(World, EveryEngine, testing::ValuesIn(ComparedEngineNames()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;  // test names take letters, digits and _
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// Every engine on every built-in shape, run twice in one process: every
// step's digest matches (the determinism self-check), so the trace hash does.
TEST_P(EveryEngine, RepeatsEveryStepOnEveryBuiltinShape) {
  // Invariant checking is off here: InvariantCheckingDoesNotChangeTheRun covers it.
  const Engine* engine = this->engine();
  for (const BuiltinScenario& builtin : BuiltinScenarios()) {
    const scenario::Scenario scenario = ScaledShape(std::string(builtin.name), engine);
    if (scenario.has_design() && !engine->traits().edits_objects) continue;  // n/a: no canvas
    std::vector<StepRecord> steps;
    RunOptions first;
    first.check_invariants = false;
    first.record_steps = &steps;
    const results::RunResult a = World(scenario, *engine, 11, first).Run();
    RunOptions second;
    second.check_invariants = false;
    second.expect_steps = &steps;
    const results::RunResult b = World(scenario, *engine, 11, second).Run();
    const std::string where = absl::StrCat(engine->traits().name, " ", std::string(builtin.name));
    for (const auto& v : b.violations()) EXPECT_NE(v.invariant(), "determinism") << where << ": " << v.detail();
    EXPECT_EQ(steps.size(), b.events()) << where;
    EXPECT_EQ(a.trace_hash(), b.trace_hash()) << where;
  }
}

// Every compared engine, every built-in shape, invariants checked after
// every step: converged, and nothing lost, duplicated or resurrected. RGA
// may interleave concurrent typing; the oracle must then say so (corrupted
// words), and only that. Engines lossy by design (LWW) must converge with
// no violation; what they lose is reported, not judged.
TEST_P(EveryEngine, ConvergesOnEveryBuiltinShape) {
  const Engine* engine = this->engine();
  const bool may_interleave = engine->traits().name == "crdt-rga";
  const bool lossy = engine->traits().lossy_by_design;
  for (const BuiltinScenario& builtin : BuiltinScenarios()) {
    for (uint64_t seed : {1, 2}) {
      const scenario::Scenario scenario = ScaledShape(std::string(builtin.name), engine);
      // n/a: no canvas, or one without moves on a scenario that moves objects
      if (scenario.has_design() && sim::NotApplicable(scenario, *engine).has_value()) continue;
      const results::RunResult result = World(scenario, *engine, seed).Run();
      const std::string where = absl::StrCat(engine->traits().name, " ", std::string(builtin.name), " seed ", seed);
      EXPECT_TRUE(result.converged()) << where;
      if (scenario.has_design()) {
        EXPECT_GT(result.canvas().objects(), 0u) << where;
        EXPECT_GT(result.canvas().property_writes(), 0u) << where;
        // Every object has a sibling key; none grew past the engines' cap.
        EXPECT_GE(result.canvas().index_bytes_max(), 1u) << where;
        EXPECT_LE(result.canvas().index_bytes_max(), kMaxIndexBytes) << where;
        EXPECT_GE(result.canvas().index_bytes_mean(), 1.0) << where;
        EXPECT_LE(result.canvas().index_bytes_mean(), static_cast<double>(result.canvas().index_bytes_max())) << where;
      } else {
        EXPECT_GT(result.oracle().tokens_surviving(), 0u) << where;
      }
      if (lossy) {
        for (const auto& violation : result.violations()) ADD_FAILURE() << where << ": " << violation.detail();
        continue;
      }
      EXPECT_EQ(result.oracle().lost(), 0u) << where;
      EXPECT_EQ(result.oracle().duplicated(), 0u) << where;
      EXPECT_EQ(result.oracle().resurrected(), 0u) << where;
      for (const auto& violation : result.violations()) {
        const bool reported_interleaving = may_interleave && violation.invariant() == "intent_oracle" &&
                                           result.oracle().corrupted() > 0;
        EXPECT_TRUE(reported_interleaving) << where << ": " << violation.invariant() << ": " << violation.detail();
      }
      if (!may_interleave) {
        EXPECT_EQ(result.oracle().corrupted(), 0u) << where;
      }
    }
  }
}

TEST(World, InvariantCheckingDoesNotChangeTheRun) {
  const scenario::Scenario scenario = Short("team", 60);
  RunOptions checked, unchecked;
  checked.check_invariants = true;
  unchecked.check_invariants = false;
  EXPECT_EQ(World(scenario, OtEngine(), 5, checked).Run().trace_hash(),
            World(scenario, OtEngine(), 5, unchecked).Run().trace_hash());
}

TEST(World, MeasuringCpuDoesNotChangeTheRun) {
  const scenario::Scenario scenario = Short("team", 60);
  RunOptions measured;
  int64_t fake_clock = 0;
  measured.measure_cpu_ns = [&fake_clock] { return fake_clock += 1500; };  // 1.5 us per reading
  int64_t fake_steady = 0;
  measured.measure_step_ns = [&fake_steady] { return fake_steady += 2'000'000; };  // 2 ms per reading
  const results::RunResult with = World(scenario, OtEngine(), 9, measured).Run();
  const results::RunResult without = World(scenario, OtEngine(), 9).Run();
  EXPECT_EQ(with.trace_hash(), without.trace_hash());
  EXPECT_DOUBLE_EQ(with.measured_local_apply_us_mean(), 1.5);
  EXPECT_EQ(without.measured_local_apply_us_mean(), 0);
  // Each receive is timed on the steady clock, not the CPU clock.
  EXPECT_DOUBLE_EQ(with.measured_max_receive_ms(), 2);
  EXPECT_EQ(without.measured_max_receive_ms(), 0);
}

TEST(World, DeliveriesAreSteadyOrFaultDelayedNeverBoth) {
  // team drops connections: some deliveries wait for a reconnect. Without
  // its faults, every delivery is steady.
  scenario::Scenario scenario = Short("team", 300);
  const results::RunResult faulty = World(scenario, OtEngine(), 3).Run();
  EXPECT_GT(faulty.steady_remote_visible().samples(), 0u);
  EXPECT_GT(faulty.fault_delayed_remote_visible().samples(), 0u);
  EXPECT_EQ(faulty.steady_remote_visible().samples() + faulty.fault_delayed_remote_visible().samples(),
            faulty.remote_visible().samples());
  // What a fault delayed is slower than what it did not.
  EXPECT_GT(faulty.fault_delayed_remote_visible().p99_ms(), faulty.steady_remote_visible().p99_ms());
  scenario.clear_drops();
  scenario.clear_require_probe();  // no drop, so no rebase across a reconnect
  const results::RunResult calm = World(scenario, OtEngine(), 3).Run();
  EXPECT_EQ(calm.fault_delayed_remote_visible().samples(), 0u);
  EXPECT_EQ(calm.steady_remote_visible().samples(), calm.remote_visible().samples());
}

TEST(World, DifferentSeedsGiveDifferentRuns) {
  const scenario::Scenario scenario = Short("team", 60);
  std::set<std::string> hashes;
  for (uint64_t seed = 1; seed <= 20; ++seed) hashes.insert(World(scenario, OtEngine(), seed).Run().trace_hash());
  EXPECT_EQ(hashes.size(), 20u);
}

TEST(World, OtConvergesWithIntentsIntactOnTeam) {
  const scenario::Scenario scenario = Load("team");
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    const results::RunResult result = World(scenario, OtEngine(), seed).Run();
    EXPECT_TRUE(result.converged()) << seed;
    EXPECT_EQ(result.violations_size(), 0) << seed << ": " << result.violations(0).detail();
    EXPECT_GT(result.oracle().tokens_inserted(), 100u);
    EXPECT_GT(result.oracle().tokens_deleted(), 0u);
    EXPECT_GT(result.connection_drops(), 0u) << "team must exercise reconnects";
    EXPECT_GT(result.remote_visible().samples(), 0u);
    // Every edit is seen by the 4 other users.
    EXPECT_EQ(result.remote_visible().samples(), 4 * result.edit_intents());
  }
}

TEST(World, ServerStallsMakeEverythingLateAndLoseNothing) {
  const scenario::Scenario scenario = Load("slow-server");
  for (const Engine* engine : ComparedEngines()) {
    if (NotApplicable(scenario, *engine).has_value()) continue;  // a mesh has no server
    const results::RunResult result = World(scenario, *engine, 1).Run();
    EXPECT_EQ(result.violations_size(), 0) << engine->traits().name << ": " << result.violations(0).detail();
    EXPECT_EQ(result.server_stalls(), 5u) << engine->traits().name;
    if (!engine->traits().lossy_by_design) {
      EXPECT_EQ(result.oracle().lost(), 0u) << engine->traits().name;
    }
    // Edits made at the start of the 15 s stall are seen only after it,
    // and are counted as delayed by a fault, not as the engine's own
    // steady state (40 ms links: a steady p99 near 120 ms).
    EXPECT_GT(result.remote_visible().max_ms(), 14'000) << engine->traits().name;
    EXPECT_GT(result.fault_delayed_remote_visible().max_ms(), 14'000) << engine->traits().name;
    EXPECT_LT(result.steady_remote_visible().max_ms(), 1'000) << engine->traits().name;
  }
}

TEST(World, EveryEngineRecognisesDuplicatedMessages) {
  scenario::Scenario scenario = Short("team", 300);
  scenario.mutable_duplicates()->set_fraction(0.3);
  for (const Engine* engine : ComparedEngines()) {
    const results::RunResult result = World(scenario, *engine, 2).Run();
    EXPECT_GT(result.messages_duplicated(), 10u) << engine->traits().name;
    EXPECT_EQ(result.violations_size(), 0) << engine->traits().name << ": " << result.violations(0).detail();
    EXPECT_TRUE(result.converged()) << engine->traits().name;
  }
}

TEST(World, OfflineUserCatchesUp) {
  const scenario::Scenario scenario = Load("flaky-mobile");
  const results::RunResult result = World(scenario, OtEngine(), 3).Run();
  EXPECT_EQ(result.violations_size(), 0);
  // Edits made offline become visible only after the window: minutes late.
  EXPECT_GT(result.remote_visible().max_ms(), 60'000);
}

// An engine whose clients never send anything: edits stay local.
class SilentEngine : public OtBasedEngine {
 public:
  SilentEngine() : OtBasedEngine({"silent", "test-only: never sends edits", Topology::kClientServer, false}) {}
  std::unique_ptr<Replica> CreateClient(ReplicaId id, const EngineOptions& o) const override {
    return std::make_unique<Silent>(id, o);
  }

 private:
  class Silent : public ot::OtClient {
   public:
    using OtClient::OtClient;
    std::vector<OutgoingMessage> TakeOutbox() override {
      std::vector<OutgoingMessage> out = OtClient::TakeOutbox();
      std::erase_if(out, [](const OutgoingMessage& m) { return m.bytes.size() > 8; });  // keep Hello only
      return out;
    }
  };
};


// The history names every kind of event a scenario with faults produces,
// with the engine's own words for messages, and writing it changes nothing.
TEST(World, HistoryHasALinePerEventAndChangesNothing) {
  const scenario::Scenario scenario = Load("flaky-mobile");
  std::ostringstream history;
  RunOptions with_history;
  with_history.history = &history;
  const results::RunResult a = World(scenario, OtEngine(), 2, with_history).Run();
  const results::RunResult b = World(scenario, OtEngine(), 2).Run();
  EXPECT_EQ(a.trace_hash(), b.trace_hash());
  const std::string text = history.str();
  EXPECT_EQ(text.rfind("# collabsim history: seed=2 scenario=flaky-mobile engine=ot", 0), 0u) << text.substr(0, 200);
  for (const char* expected : {"user 1    intent 1.", " insert@", "send to server (", "receive from user 1: Hello known r0",
                               "receive from server: Welcome head r", "receive from server: Ack op ", "disconnected",
                               "connected", "goes offline (keeps editing)", "back online",
                               "app crashed (local storage kept)", "app crashed (nothing kept)", "app restarted",
                               "heal: faults and editing stop"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected;
  }
  // One line per intent at least, in time order.
  EXPECT_GT(static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n')), a.intents());
  EXPECT_EQ(text.find("VIOLATION"), std::string::npos);
}

TEST(World, HistoryDescribesCrdtMessagesInTheEnginesTerms) {
  std::ostringstream history;
  RunOptions options;
  options.history = &history;
  World(Short("team", 30), *FindEngine("crdt").value(), 1, options).Run();
  const std::string text = history.str();
  for (const char* expected : {"receive from user 1: Hello client has {", "receive from server: Welcome server has {",
                               "receive from user 1: Push 1 op: ", " insert \"", "receive from server: Chunk ",
                               "receive from server: Ack agent "}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected;
  }
}

// A mesh has no server: peers connect to each other, keep the log
// themselves, and their messages say so in the history.
TEST(World, MeshPeersSyncWithoutAServer) {
  std::ostringstream history;
  RunOptions options;
  options.history = &history;
  const results::RunResult result = World(Short("team", 60), *FindEngine("crdt-mesh").value(), 1, options).Run();
  EXPECT_EQ(result.violations_size(), 0) << result.violations(0).detail();
  EXPECT_TRUE(result.converged());
  EXPECT_EQ(result.memory().server_bytes(), 0u);
  EXPECT_GT(result.memory().client_bytes_max(), 0u);
  const std::string text = history.str();
  for (const char* expected : {"user 1    link to user 2 up", "receive from user 1: Hello peer has {",
                               "CatchUp 0 chunks follow", "receive from user 2: Changes 1 op: ", "Ack agent "}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected;
  }
  EXPECT_EQ(text.find("from server"), std::string::npos) << "no server in a mesh";
  EXPECT_EQ(text.find("to server"), std::string::npos) << "no server in a mesh";
}

// In a mesh a partition splits the peers in two: each side keeps syncing
// inside, nothing crosses, and everyone converges once it ends.
TEST(World, MeshPartitionSplitsThePeersAndHealsThem) {
  scenario::Scenario scenario = Short("team", 300);
  scenario.clear_require_probe();
  scenario.mutable_typing()->set_pause_mean_s(1);
  auto* partition = scenario.add_partitions();
  partition->set_at_s(30);
  partition->set_duration_s(60);
  partition->add_users(1);
  partition->add_users(2);
  partition->set_direction(scenario::Partition::BOTH);
  partition->set_detect_after_s(5);
  std::ostringstream history;
  RunOptions options;
  options.history = &history;
  const results::RunResult result = World(scenario, *FindEngine("crdt-mesh").value(), 3, options).Run();
  EXPECT_EQ(result.violations_size(), 0) << result.violations(0).detail();
  EXPECT_TRUE(result.converged());
  std::map<std::string, int> during;  // deliveries strictly inside the partition, by kind
  std::istringstream lines(history.str());
  for (std::string line; std::getline(lines, line);) {
    double at = 0;
    unsigned to = 0, from = 0;
    if (std::sscanf(line.c_str(), "%lf user %u receive from user %u", &at, &to, &from) != 3) continue;
    if (at <= 30 || at >= 90) continue;
    const bool to_inside = to <= 2, from_inside = from <= 2;
    ++during[to_inside != from_inside ? "crossing" : to_inside ? "inside" : "outside"];
  }
  EXPECT_GT(during["inside"], 0);
  EXPECT_GT(during["outside"], 0);
  EXPECT_EQ(during["crossing"], 0);
}

// The dOPT negative control: the checkers must catch it on a built-in
// scenario within the first few seeds, naming the replicas that differ.
TEST(World, CheckersCatchTheDoptNegativeControlOnTeam) {
  const Engine& dopt = *FindEngine("ot-dopt").value();
  uint64_t first_failing = 0;
  for (uint64_t seed = 1; seed <= 10 && first_failing == 0; ++seed) {
    const results::RunResult result = World(Load("team"), dopt, seed).Run();
    for (const auto& v : result.violations()) {
      if (v.invariant() == "convergence") {
        first_failing = seed;
        EXPECT_NE(v.detail().find("user "), std::string::npos) << v.detail();
      }
    }
  }
  EXPECT_GT(first_failing, 0u) << "ot-dopt converged on seeds 1-10 of team";
  for (const Engine* engine : ComparedEngines()) EXPECT_FALSE(engine->traits().negative_control);
}

TEST(World, ScenariosThatCannotApplyToAnEngineSaySo) {
  const Engine& mesh = *FindEngine("crdt-mesh").value();
  const Engine& relay = *FindEngine("crdt").value();
  EXPECT_FALSE(NotApplicable(Load("team"), mesh).has_value());
  EXPECT_FALSE(NotApplicable(Load("hundred-editors"), mesh).has_value());
  EXPECT_FALSE(NotApplicable(Load("server-crash"), relay).has_value());
  const auto crash = NotApplicable(Load("server-crash"), mesh);
  ASSERT_TRUE(crash.has_value());
  EXPECT_NE(crash->find("no server"), std::string::npos) << *crash;
  const auto crowd = NotApplicable(Load("az-failure"), mesh);
  ASSERT_TRUE(crowd.has_value());
  EXPECT_NE(crowd->find("1200 users"), std::string::npos) << *crowd;
  EXPECT_FALSE(NotApplicable(Load("az-failure"), relay).has_value());
}

TEST(World, HistoryOfAFailingRunEndsWithItsViolations) {
  const scenario::Scenario scenario = Short("team", 30);
  SilentEngine engine;
  std::ostringstream history;
  RunOptions options;
  options.history = &history;
  World(scenario, engine, 1, options).Run();
  EXPECT_NE(history.str().find("VIOLATION convergence: "), std::string::npos);
  EXPECT_NE(history.str().find("VIOLATION intent_oracle: "), std::string::npos);
}

TEST(World, CheckersCatchAnEngineThatLosesEdits) {
  const scenario::Scenario scenario = Short("team", 30);
  SilentEngine engine;
  const results::RunResult result = World(scenario, engine, 1).Run();
  EXPECT_FALSE(result.converged());
  std::set<std::string> invariants;
  for (const auto& v : result.violations()) invariants.insert(v.invariant());
  EXPECT_TRUE(invariants.contains("convergence"));
  EXPECT_TRUE(invariants.contains("intent_oracle"));
  EXPECT_GT(result.oracle().lost(), 0u);
}

TEST(World, ARequiredProbeThatIsNeverHitFailsTheRun) {
  scenario::Scenario scenario = Short("two-continents", 30);  // no drops: nothing to rebase
  scenario.add_require_probe("op_rebased_across_reconnect");
  const results::RunResult result = World(scenario, OtEngine(), 1).Run();
  ASSERT_EQ(result.violations_size(), 1);
  EXPECT_EQ(result.violations(0).invariant(), "coverage");
  EXPECT_TRUE(result.converged());
}

TEST(World, ReportsEveryProbeByName) {
  const results::RunResult result = World(Short("team", 120), OtEngine(), 2).Run();
  std::vector<std::string> names;
  for (const auto& probe : result.probes()) names.push_back(probe.name());
  EXPECT_EQ(names.size(), probes::kAll.size());
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
}

}  // namespace
}  // namespace collabsim::sim

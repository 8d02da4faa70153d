// End-to-end runs: determinism of the trace hash, convergence of the OT
// engine on built-in scenarios, and a broken engine that the checkers must
// catch (a checker that never fails proves nothing).
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

namespace collabsim::sim {
namespace {

scenario::Scenario Load(const std::string& name) {
  auto scenario = LoadScenario(name);
  EXPECT_TRUE(scenario.ok()) << scenario.status();
  return *scenario;
}

// A short version of a built-in scenario, to keep sanitizer runs quick.
scenario::Scenario Short(const std::string& name, double active_s) {
  scenario::Scenario scenario = Load(name);
  scenario.set_active_s(active_s);
  scenario.clear_offline();
  return scenario;
}

// A built-in scenario's shape (faults included) in 90 s, with crowds scaled
// to at most 40 users so the sanitizer build stays quick (12 for a mesh,
// where every change crosses every overlay link: still past a full mesh).
scenario::Scenario ScaledShape(const std::string& name, const Engine* engine = nullptr) {
  scenario::Scenario scenario = Short(name, 90);
  const uint32_t crowd = engine != nullptr && engine->traits().topology == Topology::kMesh ? 12 : 40;
  for (auto& storm : *scenario.mutable_storms()) storm.set_at_s(std::min(storm.at_s(), 30.0));
  for (auto& group : *scenario.mutable_groups()) group.set_count(std::min<uint32_t>(group.count(), crowd));
  for (auto& partition : *scenario.mutable_partitions()) {
    partition.set_at_s(20);
    partition.set_duration_s(std::min(partition.duration_s(), 40.0));
  }
  for (auto& crash : *scenario.mutable_server_crashes()) crash.set_at_s(std::min(crash.at_s(), 45.0));
  for (auto& crash : *scenario.mutable_client_crashes()) crash.set_at_s(std::min(crash.at_s(), 60.0));
  for (int k = 0; k < scenario.server_stalls_size(); ++k) {  // one after another, inside the 90 s
    scenario.mutable_server_stalls(k)->set_at_s(10 + 15 * k);
    scenario.mutable_server_stalls(k)->set_duration_s(std::min(scenario.server_stalls(k).duration_s(), 10.0));
  }
  if (scenario.presence().has_flood()) {  // still ten times the rate limit
    auto* flood = scenario.mutable_presence()->mutable_flood();
    flood->set_updates_per_s(std::min(flood->updates_per_s(), 200.0));
  }
  scenario.clear_require_probe();
  return scenario;
}

// Every engine on every built-in shape, run twice in one process: every
// step's digest matches (the determinism self-check), so the trace hash does.
TEST(World, EveryEngineRepeatsEveryStepOnEveryBuiltinShape) {
  // Invariant checking is off here: InvariantCheckingDoesNotChangeTheRun covers it.
  for (const Engine* engine : ComparedEngines()) {
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
}

// Every registered engine, every built-in shape, invariants checked after
// every step: converged, and nothing lost, duplicated or resurrected. RGA
// may interleave concurrent typing; the oracle must then say so (corrupted
// words), and only that. Engines lossy by design (LWW) must converge with
// no violation; what they lose is reported, not judged.
TEST(World, EveryEngineConvergesOnEveryBuiltinShape) {
  for (const Engine* engine : ComparedEngines()) {
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
  const results::RunResult with = World(scenario, OtEngine(), 9, measured).Run();
  const results::RunResult without = World(scenario, OtEngine(), 9).Run();
  EXPECT_EQ(with.trace_hash(), without.trace_hash());
  EXPECT_DOUBLE_EQ(with.measured_local_apply_us_mean(), 1.5);
  EXPECT_EQ(without.measured_local_apply_us_mean(), 0);
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
    // Edits made at the start of the 15 s stall are seen only after it.
    EXPECT_GT(result.remote_visible().max_ms(), 14'000) << engine->traits().name;
  }
}

TEST(World, EveryEngineRecognisesDuplicatedMessages) {
  scenario::Scenario scenario = Short("team", 120);
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
// The real OT engine under another name; each test engine below overrides
// the one part it breaks or observes.
class OtBasedEngine : public Engine {
 public:
  explicit OtBasedEngine(EngineTraits traits) : traits_(std::move(traits)) {}
  const EngineTraits& traits() const override { return traits_; }
  std::unique_ptr<Replica> CreateServer(const EngineOptions& o) const override { return OtEngine().CreateServer(o); }
  std::unique_ptr<Replica> CreateClient(ReplicaId id, const EngineOptions& o) const override {
    return OtEngine().CreateClient(id, o);
  }
  absl::StatusOr<std::unique_ptr<Replica>> RestoreServer(std::string_view state, const EngineOptions& o) const override {
    return OtEngine().RestoreServer(state, o);
  }
  absl::StatusOr<std::unique_ptr<Replica>> RestoreClient(ReplicaId id, std::string_view state,
                                                         const EngineOptions& o) const override {
    return OtEngine().RestoreClient(id, state, o);
  }

 private:
  EngineTraits traits_;
};

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

// An engine with state that leaks from one run into the next in the same
// process (a static counter, as a cache keyed by a global would): its
// clients tag each message with how many clients the process has created,
// as a field the receiver skips. Every single run looks fine.
class LeakyEngine : public OtBasedEngine {
 public:
  LeakyEngine() : OtBasedEngine({"leaky", "test-only: run-to-run state", Topology::kClientServer, false}) {}
  std::unique_ptr<Replica> CreateClient(ReplicaId id, const EngineOptions& o) const override {
    return std::make_unique<Leaky>(id, o, ++created_);
  }

 private:
  class Leaky : public ot::OtClient {
   public:
    Leaky(ReplicaId id, const EngineOptions& o, uint64_t tag) : OtClient(id, o), tag_(tag) {}
    std::vector<OutgoingMessage> TakeOutbox() override {
      std::vector<OutgoingMessage> out = OtClient::TakeOutbox();
      for (OutgoingMessage& m : out) {
        m.bytes += static_cast<char>(15 << 3);  // field 15, varint: unknown to the server
        m.bytes += static_cast<char>(tag_ & 0x7f);
      }
      return out;
    }

   private:
    uint64_t tag_;
  };
  inline static uint64_t created_ = 0;
};

TEST(World, DeterminismSelfCheckMatchesEveryStepOfAGoodEngine) {
  const scenario::Scenario scenario = Load("flaky-mobile");
  std::vector<StepRecord> steps;
  RunOptions first;
  first.record_steps = &steps;
  const results::RunResult a = World(scenario, OtEngine(), 4, first).Run();
  RunOptions second;
  second.expect_steps = &steps;
  const results::RunResult b = World(scenario, OtEngine(), 4, second).Run();
  EXPECT_EQ(b.violations_size(), 0) << b.violations(0).detail();
  EXPECT_EQ(steps.size(), b.events());
  EXPECT_GT(steps.size(), 1000u);
  EXPECT_EQ(a.trace_hash(), b.trace_hash());
}

TEST(World, DeterminismSelfCheckNamesTheFirstStepThatDiffers) {
  const scenario::Scenario scenario = Short("team", 30);
  LeakyEngine engine;
  std::vector<StepRecord> steps;
  RunOptions first;
  first.record_steps = &steps;
  const results::RunResult a = World(scenario, engine, 1, first).Run();
  EXPECT_EQ(a.violations_size(), 0) << "one run alone shows nothing";
  RunOptions second;
  second.expect_steps = &steps;
  const results::RunResult b = World(scenario, engine, 1, second).Run();
  ASSERT_EQ(b.violations_size(), 1);
  EXPECT_EQ(b.violations(0).invariant(), "determinism");
  // The first message delivered is a client's Hello: the first place the
  // leaked tag shows.
  EXPECT_NE(b.violations(0).detail().find("(delivery at t="), std::string::npos) << b.violations(0).detail();
  EXPECT_NE(b.violations(0).detail().find(", node 1 -> 0)"), std::string::npos) << b.violations(0).detail();
  EXPECT_NE(b.violations(0).detail().find("same event, different outcome"), std::string::npos);
  EXPECT_NE(b.violations(0).detail().find("differs from the first run"), std::string::npos);
  EXPECT_LT(b.events(), a.events()) << "the run stops at the difference";
}

// The negative control for the checkers: the seeded bug is found within the
// first thousand seeds of a crowded built-in shape, as a divergence, while
// the real engine passes that very seed.
TEST(World, CheckersCatchTheSeededTieBreakBugWithinAThousandSeeds) {
  const scenario::Scenario scenario = ScaledShape("all-hands");
  // The real OT engine, its server built with the seeded tie-break bug.
  const std::unique_ptr<Engine> bug = ot::MakeOtEngine(
      {"ot-tie-break-bug", "test-only: server ties by client id", Topology::kClientServer, false},
      ot::OtServerOptions{.tie_break_by_client_id = true});
  const Engine& engine = *bug;
  RunOptions fast;
  fast.check_invariants = false;
  uint64_t found = 0;
  for (uint64_t seed = 1; seed <= 1000 && found == 0; ++seed) {
    if (!World(scenario, engine, seed, fast).Run().converged()) found = seed;
  }
  ASSERT_NE(found, 0u) << "the checkers missed a server that breaks ties differently from its clients";
  const results::RunResult real = World(scenario, OtEngine(), found, fast).Run();
  EXPECT_TRUE(real.converged());
  EXPECT_EQ(real.violations_size(), 0);
}

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
  scenario::Scenario scenario = Short("team", 120);
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

scenario::Scenario Storm(uint32_t users, double fraction, double accept_per_s) {
  scenario::Scenario scenario = Short("team", 40);
  scenario.mutable_groups(0)->set_count(users);
  scenario.clear_drops();
  scenario.clear_require_probe();
  auto* storm = scenario.add_storms();
  storm->set_at_s(10);
  storm->set_fraction(fraction);
  scenario.mutable_server()->set_accept_per_s(accept_per_s);
  auto* backoff = scenario.mutable_reconnect_backoff();
  backoff->set_initial_ms(1000);
  backoff->set_max_ms(30000);
  backoff->set_multiplier(2);
  backoff->set_jitter_fraction(0.5);
  return scenario;
}

TEST(World, StormDropsTheGivenFractionAndEveryoneComesBack) {
  const results::RunResult result = World(Storm(10, 0.6, 0), OtEngine(), 3).Run();
  EXPECT_EQ(result.storm_drops(), 6u);
  EXPECT_EQ(result.connection_refusals(), 0u);
  EXPECT_EQ(result.violations_size(), 0) << result.violations(0).detail();
}

TEST(World, AcceptLimitRefusesTheHerdAndBackoffDrainsIt) {
  // 60 clients, 10 accepts per second: most first attempts are refused.
  const results::RunResult limited = World(Storm(60, 1.0, 10), OtEngine(), 3).Run();
  EXPECT_EQ(limited.storm_drops(), 60u);
  EXPECT_GE(limited.connection_refusals(), 30u);
  EXPECT_EQ(limited.violations_size(), 0) << limited.violations(0).detail();
  // The same storm without a limit refuses nothing.
  EXPECT_EQ(World(Storm(60, 1.0, 0), OtEngine(), 3).Run().connection_refusals(), 0u);
}

TEST(World, ReconnectsStillPendingAtTheLivenessBoundFailTheRun) {
  scenario::Scenario scenario = Storm(30, 1.0, 0.05);  // one accept every 20 s
  scenario.set_active_s(11);
  scenario.set_converge_within_s(5);
  const results::RunResult result = World(scenario, OtEngine(), 1).Run();
  ASSERT_GT(result.violations_size(), 0);
  EXPECT_EQ(result.violations(0).invariant(), "liveness");
  EXPECT_NE(result.violations(0).detail().find("still reconnecting"), std::string::npos);
}

scenario::Scenario Partitioned(scenario::Partition::Direction direction, double duration_s, double detect_after_s) {
  scenario::Scenario scenario = Short("team", 60);
  scenario.clear_drops();
  scenario.clear_require_probe();
  scenario.mutable_typing()->set_pause_mean_s(1);  // busy typists: something is always in flight
  auto* p = scenario.add_partitions();
  p->set_at_s(10);
  p->set_duration_s(duration_s);
  p->add_users(1);
  p->add_users(2);
  p->set_direction(direction);
  p->set_detect_after_s(detect_after_s);
  return scenario;
}

TEST(World, OneWayPartitionsLoseMessagesButNoEdits) {
  for (auto direction : {scenario::Partition::TO_SERVER, scenario::Partition::FROM_SERVER, scenario::Partition::BOTH}) {
    const results::RunResult result = World(Partitioned(direction, 8, 100), OtEngine(), 4).Run();
    EXPECT_GT(result.messages_dropped(), 0u) << scenario::Partition::Direction_Name(direction);
    EXPECT_EQ(result.connection_drops(), 2u);  // noticed at the partition's end
    EXPECT_EQ(result.violations_size(), 0) << result.violations(0).detail();
    EXPECT_GT(result.oracle().tokens_surviving(), 0u);
  }
}

TEST(World, PartitionNoticedByHeartbeatWaitsForTheEndToReconnect) {
  const results::RunResult result = World(Partitioned(scenario::Partition::BOTH, 20, 5), OtEngine(), 4).Run();
  EXPECT_EQ(result.connection_drops(), 2u);  // at detect, not again at the end
  EXPECT_EQ(result.violations_size(), 0) << result.violations(0).detail();
  // Edits made during the cut reach others only after it: 15 s or more late.
  EXPECT_GT(result.remote_visible().max_ms(), 15000);
}

TEST(World, ServerCrashKeepsEveryAcknowledgedEdit) {
  scenario::Scenario scenario = Load("server-crash");
  scenario.set_active_s(60);
  scenario.mutable_server_crashes(0)->set_at_s(30);
  for (const Engine* engine : ComparedEngines()) {
    if (NotApplicable(scenario, *engine).has_value()) continue;  // no server to crash
    const results::RunResult result = World(scenario, *engine, 2).Run();
    EXPECT_EQ(result.server_crashes(), 1u) << engine->traits().name;
    EXPECT_EQ(result.connection_drops(), 8u) << engine->traits().name;
    EXPECT_EQ(result.violations_size(), 0) << engine->traits().name << ": " << result.violations(0).detail();
  }
}

// An engine whose restarted server forgets the last op it acknowledged.
class ForgetfulEngine : public OtBasedEngine {
 public:
  ForgetfulEngine()
      : OtBasedEngine({"forgetful", "test-only: loses its last acknowledged op on restart", Topology::kClientServer,
                       false}) {}
  absl::StatusOr<std::unique_ptr<Replica>> RestoreServer(std::string_view state, const EngineOptions& o) const override {
    ot::wire::ServerDurableState log;
    if (!log.ParseFromArray(state.data(), static_cast<int>(state.size()))) return absl::InvalidArgumentError("bad");
    if (log.log_size() > 0) log.mutable_log()->RemoveLast();
    return OtEngine().RestoreServer(log.SerializeAsString(), o);
  }
  // Its clients' local storage drops the buffer of not-yet-sent edits.
  absl::StatusOr<std::unique_ptr<Replica>> RestoreClient(ReplicaId id, std::string_view state,
                                                         const EngineOptions& o) const override {
    ot::wire::ClientDurableState stored;
    if (!stored.ParseFromArray(state.data(), static_cast<int>(state.size()))) return absl::InvalidArgumentError("bad");
    if (stored.has_buffer()) return OtEngine().CreateClient(id, o);
    return OtEngine().RestoreClient(id, state, o);
  }
};

TEST(World, DurabilityCheckerCatchesALostAcknowledgedOp) {
  scenario::Scenario scenario = Load("server-crash");
  scenario.set_active_s(60);
  scenario.mutable_server_crashes(0)->set_at_s(30);
  scenario.clear_require_probe();
  ForgetfulEngine engine;
  const results::RunResult result = World(scenario, engine, 2).Run();
  ASSERT_GT(result.violations_size(), 0);
  EXPECT_EQ(result.violations(0).invariant(), "durability");
  EXPECT_NE(result.violations(0).detail().find("acknowledged intents missing after the server restarted"), std::string::npos)
      << result.violations(0).detail();
}

// User 2 types offline from 20 s to 50 s and its app crashes at 40 s.
scenario::Scenario OfflineThenCrash(bool local_storage) {
  scenario::Scenario scenario = Short("team", 90);
  scenario.clear_require_probe();
  scenario.mutable_typing()->set_pause_mean_s(1);
  auto* offline = scenario.add_offline();
  offline->set_user(2);
  offline->set_start_s(20);
  offline->set_duration_s(30);
  auto* crash = scenario.add_client_crashes();
  crash->set_user(2);
  crash->set_at_s(40);
  crash->set_restart_after_s(5);
  crash->set_local_storage(local_storage);
  return scenario;
}

TEST(World, ClientCrashLosesOnlyWhatTheServerNeverGot) {
  const scenario::Scenario scenario = OfflineThenCrash(/*local_storage=*/false);
  for (const Engine* engine : ComparedEngines()) {
    const results::RunResult result = World(scenario, *engine, 6).Run();
    EXPECT_EQ(result.client_crashes(), 1u) << engine->traits().name;
    EXPECT_GT(result.oracle().lost_by_crash(), 0u) << engine->traits().name;
    if (!engine->traits().lossy_by_design) {
      EXPECT_EQ(result.oracle().lost(), 0u) << engine->traits().name;
    }
    EXPECT_EQ(result.violations_size(), 0) << engine->traits().name << ": " << result.violations(0).detail();
  }
}

// The same crash with local storage: nothing is lost, not even by the crash.
TEST(World, ClientCrashWithLocalStorageKeepsPendingEdits) {
  const scenario::Scenario scenario = OfflineThenCrash(/*local_storage=*/true);
  for (const Engine* engine : ComparedEngines()) {
    const results::RunResult result = World(scenario, *engine, 6).Run();
    EXPECT_EQ(result.client_crashes(), 1u) << engine->traits().name;
    EXPECT_EQ(result.oracle().lost_by_crash(), 0u) << engine->traits().name;
    if (!engine->traits().lossy_by_design) {
      EXPECT_EQ(result.oracle().lost(), 0u) << engine->traits().name;
    }
    EXPECT_GT(result.oracle().tokens_surviving(), 0u) << engine->traits().name;
    EXPECT_EQ(result.violations_size(), 0) << engine->traits().name << ": " << result.violations(0).detail();
  }
  // A client whose storage drops its unsent edits is caught by the oracle.
  const results::RunResult forgetful = World(scenario, ForgetfulEngine(), 6).Run();
  EXPECT_GT(forgetful.oracle().lost(), 0u);
  ASSERT_GT(forgetful.violations_size(), 0);
}

// OT clients that note the clock reading at each local edit.
class ClockReadingEngine : public OtBasedEngine {
 public:
  explicit ClockReadingEngine(std::vector<std::pair<ReplicaId, int64_t>>* readings)
      : OtBasedEngine({"clock-reading", "test-only: records clock readings", Topology::kClientServer, false}),
        readings_(readings) {}
  std::unique_ptr<Replica> CreateClient(ReplicaId id, const EngineOptions& o) const override {
    return std::make_unique<Reading>(id, o, readings_);
  }

 private:
  class Reading : public ot::OtClient {
   public:
    Reading(ReplicaId id, const EngineOptions& o, std::vector<std::pair<ReplicaId, int64_t>>* readings)
        : OtClient(id, o), readings_(readings) {}
    absl::Status ApplyLocal(const Intent& intent) override {
      readings_->emplace_back(id(), local_time_ns());
      return OtClient::ApplyLocal(intent);
    }

   private:
    std::vector<std::pair<ReplicaId, int64_t>>* readings_;
  };
  std::vector<std::pair<ReplicaId, int64_t>>* readings_;
};

TEST(World, EachNodeReadsItsOwnSkewedClock) {
  scenario::Scenario scenario = Short("team", 120);
  scenario.clear_require_probe();
  std::vector<std::pair<ReplicaId, int64_t>> exact, skewed;
  const results::RunResult a = World(scenario, ClockReadingEngine(&exact), 4).Run();
  scenario.mutable_clocks()->set_max_skew_ms(3000);
  scenario.mutable_clocks()->set_max_drift_ppm(200);
  const results::RunResult b = World(scenario, ClockReadingEngine(&skewed), 4).Run();
  // OT never reads the clock, so the runs match event for event, and the
  // exact run's readings are the true times of the skewed run's edits.
  ASSERT_EQ(exact.size(), skewed.size());
  ASSERT_GT(exact.size(), 20u);
  std::map<ReplicaId, std::set<int64_t>> offsets;
  for (size_t k = 0; k < exact.size(); ++k) {
    ASSERT_EQ(exact[k].first, skewed[k].first);
    const int64_t offset = skewed[k].second - exact[k].second;
    const int64_t bound = 3000 * kMillisecond + exact[k].second / 1'000'000 * 200 + 1;
    EXPECT_LE(std::abs(offset), bound);
    offsets[exact[k].first].insert(offset / kMillisecond);
  }
  // Users' clocks disagree with true time and with each other.
  std::set<int64_t> first_offsets;
  for (const auto& [user, seen] : offsets) first_offsets.insert(*seen.begin());
  EXPECT_GT(first_offsets.size(), 1u);
  // Clock draws are fault activity: they change the trace hash, not the outcome.
  EXPECT_NE(a.trace_hash(), b.trace_hash());
  EXPECT_EQ(b.violations_size(), 0);
}

// `plane` scaled from three weeks to half a day offline (the full one runs
// in release; see README): the traveller's whole divergence merges in one
// catch-up with nothing lost, and the run says so through its probes.
TEST(World, PlaneTravellerMergesOneLongDivergence) {
  scenario::Scenario scenario = Load("plane");
  scenario.mutable_offline(0)->set_start_s(600);
  scenario.mutable_offline(0)->set_duration_s(12 * 3600);
  scenario.set_active_s(12 * 3600 + 1200);
  const results::RunResult result = World(scenario, OtEngine(), 3).Run();
  EXPECT_EQ(result.violations_size(), 0) << result.violations(0).detail();
  EXPECT_TRUE(result.converged());
  EXPECT_GT(result.oracle().tokens_surviving(), 1000u);
  EXPECT_EQ(result.oracle().lost(), 0u);
  uint64_t catch_ups = 0;
  for (const auto& probe : result.probes()) {
    if (probe.name() == "catch_up_after_long_offline") catch_ups = probe.count();
  }
  EXPECT_GE(catch_ups, 1u);
  // The traveller's edits became visible to the others only at the end:
  // about twelve hours late.
  EXPECT_GT(result.remote_visible().max_ms(), 11.0 * 3600 * 1000);
}

// A week offline, then back on 64 kbit/s links that drop every ~15 s: the
// catch-up (about a megabyte) takes far longer than a connection lives. It
// must still finish while the drops go on, because each message is bounded
// and each reconnect resumes where the last one stopped; a catch-up that
// started over on every connect only finishes once the drops stop (about
// 200 s after heal here).
TEST(World, CatchUpOverAThinLinkThatKeepsDroppingFinishesBeforeHeal) {
  scenario::Scenario scenario = Load("plane");
  scenario.mutable_offline(0)->set_duration_s(7 * 86400);
  scenario.set_active_s(scenario.offline(0).start_s() + 7 * 86400 + 3600);
  for (auto& group : *scenario.mutable_groups()) group.mutable_link()->set_bandwidth_kbps(64);
  scenario.mutable_drops()->set_mean_interval_s(15);
  scenario.mutable_drops()->mutable_reconnect_delay()->mutable_uniform()->set_min_ms(500);
  scenario.mutable_drops()->mutable_reconnect_delay()->mutable_uniform()->set_max_ms(10000);
  // Per-step invariant and transform-law checks would re-apply a week of
  // buffered typing on every catch-up entry (minutes under the sanitizers);
  // other tests cover them, this one is about progress.
  RunOptions fast;
  fast.check_invariants = false;
  const results::RunResult result = World(scenario, OtEngine(), 1, fast).Run();
  EXPECT_EQ(result.violations_size(), 0) << result.violations(0).detail();
  EXPECT_TRUE(result.converged());
  EXPECT_EQ(result.oracle().lost(), 0u);
  EXPECT_LT(result.convergence_s(), 30.0);
}

TEST(World, SetupLineNamesSeedAndOptions) {
  const std::string line = World(Load("team"), OtEngine(), 77).SetupLine();
  EXPECT_NE(line.find("seed=77"), std::string::npos);
  EXPECT_NE(line.find("engine=ot"), std::string::npos);
  EXPECT_NE(line.find("lognormal(median 40ms"), std::string::npos);
}

}  // namespace
}  // namespace collabsim::sim

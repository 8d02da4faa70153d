// Runs under each fault: reconnect storms and accept limits, partitions,
// server and client crashes (with the durability check), skewed clocks, a
// traveller weeks offline, and a catch-up over a thin link that keeps
// dropping.
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

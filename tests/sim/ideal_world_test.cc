// The ideal reference through the simulator: on links of constant delay it
// delivers every edit after exactly the two links' delay and loses none,
// whatever drops, crashes or canvases the scenario adds; and no engine
// delivers any edit sooner or sends fewer bytes per edit.
#include <gtest/gtest.h>

#include <string>

#include "engines/ideal/ideal_engine.h"
#include "engines/registry.h"
#include "sim/scenario_limits.h"
#include "sim/world.h"
#include "tests/sim/world_test_util.h"

namespace collabsim::sim {
namespace {

using world_testing::Short;

constexpr double kOneWayMs = 40;

// A built-in scenario, shortened, with every link a constant kOneWayMs of
// unlimited bandwidth: then the network's own delay from author to viewer
// is exactly 2 * kOneWayMs (up to the server, or a peer's core, and down).
scenario::Scenario ConstantLinks(const std::string& name, double active_s) {
  scenario::Scenario scenario = Short(name, active_s);
  for (auto& group : *scenario.mutable_groups()) {
    scenario::Link* link = group.mutable_link();
    link->mutable_latency()->Clear();
    link->mutable_latency()->set_constant_ms(kOneWayMs);
    link->set_bandwidth_kbps(0);
  }
  scenario.clear_require_probe();
  scenario.clear_expect();
  return scenario;
}

// The smallest latency a run recorded in steady state.
double SteadyMinimum(const results::RunResult& result) { return result.steady_remote_visible().quantiles_ms(0); }

TEST(IdealReference, DeliversEveryEditAfterExactlyTheNetworksDelay) {
  for (const std::string name : {"team", "server-crash", "whiteboard"}) {
    const scenario::Scenario scenario = ConstantLinks(name, 120);
    for (uint64_t seed = 1; seed <= 2; ++seed) {
      const results::RunResult result = World(scenario, ideal::IdealEngine(), seed).Run();
      SCOPED_TRACE(name + " seed " + std::to_string(seed));
      EXPECT_TRUE(result.reference());
      EXPECT_EQ(result.violations_size(), 0) << result.violations(0).detail();
      ASSERT_GT(result.edit_intents(), 0u);
      // Nothing lost to a drop or a crash: every edit reached every other user.
      EXPECT_EQ(result.remote_visible().samples(), (UserCount(scenario) - 1) * result.edit_intents());
      ASSERT_GT(result.steady_remote_visible().samples(), 0u);
      EXPECT_DOUBLE_EQ(SteadyMinimum(result), 2 * kOneWayMs);
      EXPECT_DOUBLE_EQ(result.steady_remote_visible().max_ms(), 2 * kOneWayMs);
    }
  }
}

TEST(IdealReference, NoEngineIsFasterOrSendsFewerBytesPerEdit) {
  for (const std::string name : {"team", "whiteboard"}) {
    const scenario::Scenario scenario = ConstantLinks(name, 120);
    const results::RunResult ideal = World(scenario, ideal::IdealEngine(), 1).Run();
    const double ideal_bytes = static_cast<double>(ideal.wire_bytes()) / ideal.edit_intents();
    for (const Engine* engine : ComparedEngines()) {
      if (scenario.has_design() && !engine->traits().edits_objects) continue;
      SCOPED_TRACE(name + " on " + engine->traits().name);
      const results::RunResult result = World(scenario, *engine, 1).Run();
      ASSERT_GT(result.steady_remote_visible().samples(), 0u);
      EXPECT_GE(SteadyMinimum(result), 2 * kOneWayMs);
      EXPECT_GE(result.steady_remote_visible().p50_ms(), ideal.steady_remote_visible().p50_ms());
      EXPECT_GT(static_cast<double>(result.wire_bytes()) / result.edit_intents(), ideal_bytes);
    }
  }
}

TEST(IdealReference, ChargesTheWireOnlyTheEditsOwnSize) {
  // Typing ASCII one character at a time: each edit is a position and a
  // byte or two, far below any engine's framing.
  const scenario::Scenario scenario = ConstantLinks("two-continents", 60);
  const results::RunResult result = World(scenario, ideal::IdealEngine(), 1).Run();
  ASSERT_GT(result.edit_intents(), 0u);
  // One copy up to the server and one down to the other user.
  const double per_delivery = static_cast<double>(result.wire_bytes()) / (2 * result.edit_intents());
  EXPECT_GE(per_delivery, 2);
  EXPECT_LE(per_delivery, 12);
  EXPECT_EQ(result.bytes(), result.wire_bytes());  // no framing
}

}  // namespace
}  // namespace collabsim::sim

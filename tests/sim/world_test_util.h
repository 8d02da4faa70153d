// What the World tests share: built-in scenarios loaded, shortened and
// scaled for the sanitizer build, and the real OT engine under another name,
// which each broken or observing test engine builds on.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>

#include "engines/ot/ot_engine.h"
#include "sim/scenario_loader.h"

namespace collabsim::sim::world_testing {

inline scenario::Scenario Load(const std::string& name) {
  auto scenario = LoadScenario(name);
  EXPECT_TRUE(scenario.ok()) << scenario.status();
  return *scenario;
}

// A short version of a built-in scenario, to keep sanitizer runs quick.
inline scenario::Scenario Short(const std::string& name, double active_s) {
  scenario::Scenario scenario = Load(name);
  scenario.set_active_s(active_s);
  scenario.clear_offline();
  return scenario;
}

// A built-in scenario's shape (faults included) in 90 s, with crowds scaled
// to at most 40 users so the sanitizer build stays quick (12 for a mesh,
// where every change crosses every overlay link: still past a full mesh).
inline scenario::Scenario ScaledShape(const std::string& name, const Engine* engine = nullptr) {
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
  scenario.clear_expect();  // service levels hold for the scenario as written, not a scaled shape
  return scenario;
}

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

}  // namespace collabsim::sim::world_testing

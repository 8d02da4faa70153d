// The presence channel in whole runs: cursors agree with their owners at the
// end for every engine with presence, the checker catches an engine that
// shows them wrong, a flooding client is throttled without costing the
// others their edit latency, and presence never keeps a quiet run going.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "engines/registry.h"
#include "sim/scenario_loader.h"
#include "sim/world.h"

namespace collabsim::sim {
namespace {

scenario::Scenario Load(const std::string& name) {
  absl::StatusOr<scenario::Scenario> scenario = LoadScenario(name);
  EXPECT_TRUE(scenario.ok()) << scenario.status();
  return *scenario;
}

// Four colleagues with drops, live cursors on.
scenario::Scenario SmallTeamWithCursors() {
  scenario::Scenario scenario = Load("team");
  scenario.set_active_s(60);
  scenario.mutable_groups(0)->set_count(4);
  scenario.mutable_drops()->set_mean_interval_s(20);
  scenario.clear_require_probe();
  scenario.mutable_typing()->set_select_fraction(0.5);
  scenario.mutable_presence();
  return scenario;
}

TEST(Presence, CursorsAgreeWithTheirOwnersForEveryEngine) {
  for (const Engine* engine : AllEngines()) {
    if (engine->traits().negative_control || engine->traits().reference) continue;  // the ideal has no cursors
    for (uint64_t seed : {1, 2}) {
      const results::RunResult result = World(SmallTeamWithCursors(), *engine, seed).Run();
      const std::string where = absl::StrCat(engine->traits().name, " seed ", seed);
      for (const auto& v : result.violations()) {
        if (!engine->traits().lossy_by_design || v.invariant() != "intent_oracle") {
          ADD_FAILURE() << where << ": [" << v.invariant() << "] " << v.detail();
        }
      }
      const results::PresenceSummary& presence = result.presence();
      ASSERT_TRUE(presence.enabled()) << where;
      EXPECT_EQ(presence.carets_checked(), 4u * 3u) << where;
      EXPECT_GT(presence.updates_sent(), 0u) << where;
      EXPECT_GT(presence.batches_sent(), 0u) << where;
      EXPECT_GT(presence.wire_bytes(), presence.messages()) << where;
      EXPECT_EQ(presence.dropped(), 0u) << where;  // nobody exceeds 20 updates a second
      EXPECT_GT(presence.cursor_latency().samples(), 0u) << where;
      EXPECT_GT(presence.selections_published(), 0u) << where;  // selections cross the channel too
      // Presence is counted apart from edits.
      EXPECT_GT(result.messages(), 0u) << where;
    }
  }
}

// Without drops (a move made offline waits for the reconnect, and counts),
// a cursor takes two 40 ms hops plus at most one client interval and one
// broadcast interval of waiting, and a little jitter.
TEST(Presence, CursorLatencyIsTwoHopsAndTheBatchingOnAQuietLink) {
  scenario::Scenario scenario = SmallTeamWithCursors();
  scenario.clear_drops();
  for (const char* name : {"ot", "crdt", "lww", "crdt-mesh"}) {
    const results::LatencySummary latency = World(scenario, **FindEngine(name), 1).Run().presence().cursor_latency();
    EXPECT_GT(latency.samples(), 100u) << name;
    EXPECT_GT(latency.p50_ms(), 80) << name;
    EXPECT_LT(latency.p95_ms(), 200) << name;
    EXPECT_LT(latency.max_ms(), 250) << name;
  }
}

// Three editors and six read-only viewers. Past `viewers_with_cursors`
// viewers, they see who is here but no cursor moves (the checker holds them
// to that: no caret shown); under it, they see every cursor like editors.
TEST(Presence, ViewersInALargeAudienceSeeWhoIsHereButNoCursors) {
  scenario::Scenario scenario = SmallTeamWithCursors();
  scenario.mutable_groups(0)->set_count(3);
  scenario::UserGroup* viewers = scenario.add_groups();
  *viewers = scenario.groups(0);
  viewers->set_label("viewers");
  viewers->set_count(6);
  viewers->set_read_only(true);
  for (const char* name : {"ot", "crdt", "lww"}) {
    scenario.mutable_presence()->set_viewers_with_cursors(4);
    const results::RunResult crowd = World(scenario, **FindEngine(name), 1).Run();
    scenario.mutable_presence()->set_viewers_with_cursors(10);
    const results::RunResult few = World(scenario, **FindEngine(name), 1).Run();
    for (const results::RunResult* result : {&crowd, &few}) {
      EXPECT_TRUE(result->converged()) << name;
      for (const auto& v : result->violations()) {
        if (v.invariant() != "intent_oracle") ADD_FAILURE() << name << ": [" << v.invariant() << "] " << v.detail();
      }
      EXPECT_EQ(result->presence().carets_checked(), 9u * 8u) << name;
      EXPECT_EQ(result->edit_intents() > 0, true) << name;
    }
    // Each move reaches the 2 other editors in a crowd, and 8 users without one.
    EXPECT_GT(few.presence().cursor_latency().samples(), 3 * crowd.presence().cursor_latency().samples()) << name;
  }
}

TEST(Presence, ScenariosWithoutPresenceSendNone) {
  scenario::Scenario scenario = SmallTeamWithCursors();
  scenario.clear_presence();
  const results::RunResult result = World(scenario, **FindEngine("ot"), 1).Run();
  EXPECT_FALSE(result.presence().enabled());
  EXPECT_EQ(result.presence().messages(), 0u);
  EXPECT_EQ(result.presence().carets_checked(), 0u);
}

// Presence timers (keepalives, TTL) never keep a run going once edits are
// quiet: the run ends within a few round trips of heal.
TEST(Presence, StopsTickingOnceTheRunIsQuiet) {
  scenario::Scenario scenario = SmallTeamWithCursors();
  scenario.clear_drops();
  const results::RunResult result = World(scenario, **FindEngine("crdt"), 3).Run();
  EXPECT_TRUE(result.violations().empty());
  EXPECT_LT(result.convergence_s(), 2.0);
}

// An OT client that shows one end (the head, or the anchor) of every other
// user's cursor one character to the right: the cursor-agreement checker
// must say so.
enum class End { kHead, kAnchor };

class OffByOneClient : public Replica, public CaretFacet {
 public:
  OffByOneClient(std::unique_ptr<Replica> inner, End end) : Replica(inner->id()), inner_(std::move(inner)), end_(end) {}
  absl::Status ApplyLocal(const Intent& intent) override { return inner_->ApplyLocal(intent); }
  absl::Status ReceiveMessage(ReplicaId from, std::string_view bytes) override { return inner_->Receive(from, bytes); }
  void OnConnected(ReplicaId peer) override { inner_->Connected(peer); }
  void OnDisconnected(ReplicaId peer) override { inner_->Disconnected(peer); }
  View GetView() const override { return inner_->GetView(); }
  uint64_t TextLength() const override { return inner_->TextLength(); }
  std::string TextSlice(uint64_t from, uint64_t count) const override { return inner_->TextSlice(from, count); }
  uint64_t OwnCursor() const override { return inner_->OwnCursor(); }
  Selection OwnSelection() const override { return inner_->carets()->OwnSelection(); }
  ReplicaStats Stats() const override { return inner_->Stats(); }
  std::vector<OutgoingMessage> TakeOutbox() override { return inner_->TakeOutbox(); }
  std::vector<IntentId> TakeNewlyVisible() override { return inner_->TakeNewlyVisible(); }
  void CheckInvariants() const override { inner_->CheckInvariants(); }
  std::string DurableState() const override { return inner_->DurableState(); }
  CaretFacet* carets() override { return this; }
  EncodedSelection PublishSelection() override { return inner_->carets()->PublishSelection(); }
  absl::Status ShowRemoteSelection(ReplicaId owner, std::string_view anchor, std::string_view head) override {
    return inner_->carets()->ShowRemoteSelection(owner, anchor, head);
  }
  void HideRemoteSelection(ReplicaId owner) override { inner_->carets()->HideRemoteSelection(owner); }
  std::optional<Selection> RemoteSelection(ReplicaId owner) const override {
    std::optional<Selection> at = inner_->carets()->RemoteSelection(owner);
    if (at.has_value()) ++(end_ == End::kHead ? at->head : at->anchor);
    return at;
  }

 private:
  std::unique_ptr<Replica> inner_;
  End end_;
};

class OffByOneCarets : public Engine {
 public:
  OffByOneCarets(const Engine& inner, End end) : inner_(inner), end_(end) {}
  const EngineTraits& traits() const override { return inner_.traits(); }
  std::unique_ptr<Replica> CreateServer(const EngineOptions& options) const override {
    return inner_.CreateServer(options);
  }
  std::unique_ptr<Replica> CreateClient(ReplicaId id, const EngineOptions& options) const override {
    return std::make_unique<OffByOneClient>(inner_.CreateClient(id, options), end_);
  }
  absl::StatusOr<std::unique_ptr<Replica>> RestoreServer(std::string_view state,
                                                         const EngineOptions& options) const override {
    return inner_.RestoreServer(state, options);
  }
  absl::StatusOr<std::unique_ptr<Replica>> RestoreClient(ReplicaId id, std::string_view state,
                                                         const EngineOptions& options) const override {
    absl::StatusOr<std::unique_ptr<Replica>> inner = inner_.RestoreClient(id, state, options);
    if (!inner.ok()) return inner.status();
    return std::unique_ptr<Replica>(std::make_unique<OffByOneClient>(*std::move(inner), end_));
  }

 private:
  const Engine& inner_;
  End end_;
};

TEST(Presence, CheckerCatchesCursorsShownOnTheWrongCharacter) {
  for (const End end : {End::kHead, End::kAnchor}) {
    const OffByOneCarets engine(**FindEngine("ot"), end);
    const results::RunResult result = World(SmallTeamWithCursors(), engine, 1).Run();
    ASSERT_TRUE(result.converged());
    int caught = 0;
    for (const auto& v : result.violations()) {
      EXPECT_EQ(v.invariant(), "cursor_agreement") << v.detail();
      caught += v.invariant() == "cursor_agreement";
    }
    EXPECT_GT(caught, 0);
    ASSERT_FALSE(result.violations().empty());
    EXPECT_NE(result.violations(0).detail().find("'s own is at"), std::string::npos) << result.violations(0).detail();
  }
}

// presence-flood, shortened, against the same six users whose one client
// behaves (one update a second, well under the limit).
TEST(Presence, AFloodIsRateLimitedAndCostsTheOthersNoEditLatency) {
  scenario::Scenario flood = Load("presence-flood");
  flood.set_active_s(30);
  scenario::Scenario calm = flood;
  calm.mutable_presence()->mutable_flood()->set_updates_per_s(1);
  for (const char* name : {"ot", "crdt-mesh"}) {
    const Engine& engine = **FindEngine(name);
    const bool mesh = engine.traits().topology == Topology::kMesh;
    const results::RunResult flooded = World(flood, engine, 1).Run();
    const results::RunResult behaved = World(calm, engine, 1).Run();
    EXPECT_TRUE(flooded.violations().empty() || engine.traits().lossy_by_design) << name;
    EXPECT_TRUE(flooded.converged()) << name;
    // 30,000 flood updates; the server (in a mesh, each neighbour of the
    // flooder) admits at most the burst plus 20 a second of them.
    const uint64_t flood_sent = 30'000, admitted = 20 + 20 * 30;
    EXPECT_GE(flooded.presence().dropped(), flood_sent - admitted) << name;
    if (mesh) {
      EXPECT_GE(flooded.presence().dropped(), 2 * (flood_sent - admitted)) << name;
    }
    EXPECT_EQ(behaved.presence().dropped(), 0u) << name;
    // The others' cursor moves all still arrive, and are all timed (the
    // server's wake-ups for the flooder's kept-aside update must not lose
    // their send times).
    EXPECT_GE(flooded.presence().bystander_cursor_latency().samples(),
              behaved.presence().bystander_cursor_latency().samples() * 9 / 10)
        << name;
    // The others' edits arrive as fast as without the flood (measured: 1%
    // apart, either way).
    const double with = flooded.presence().bystander_edit_latency().p95_ms();
    const double without = behaved.presence().bystander_edit_latency().p95_ms();
    ASSERT_GT(behaved.presence().bystander_edit_latency().samples(), 100u) << name;
    EXPECT_LT(with, without * 1.05) << name;
    // Their cursors wait at most one more broadcast interval: the room's
    // batch tick is now always busy, as it is whenever someone moves.
    EXPECT_LT(flooded.presence().bystander_cursor_latency().p95_ms(),
              behaved.presence().bystander_cursor_latency().p95_ms() + 50)
        << name;
  }
}

}  // namespace
}  // namespace collabsim::sim

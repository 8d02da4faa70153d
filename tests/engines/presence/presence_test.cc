// The presence channel's common parts: the client's throttle (at most one
// update per interval, the newest; keepalive; reconnect), the server's
// room (token-bucket rate limit, batches per interval, TTL, leave and
// rejoin, viewers without cursors in large audiences), the mesh's gossip
// (newest version wins, forwarded once per link, rate-limited per owner,
// TTL, names left out for neighbours that know them), the wire codec's
// refusals, and properties: whatever members do, after the last batch
// each member's roster is exactly the room's entries of the others; and
// whatever peers do, once quiet each holds every reachable owner's newest.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>
#include <rapidcheck/gtest.h>

#include "engines/presence/presence_codec.h"
#include "engines/presence/presence_gossip.h"
#include "engines/presence/presence_room.h"
#include "engines/presence/presence_roster.h"
#include "engines/presence/presence_throttle.h"

namespace collabsim {
namespace {

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kS = 1000 * kMs;
constexpr int64_t kStart = 1 * kS;  // clocks start above zero

PresenceEntry At(ReplicaId user, const std::string& head, const std::string& name = "ana") {
  PresenceEntry entry;
  entry.user = user;
  entry.name = name;
  entry.colour = 0x3366cc;
  entry.head = head;
  entry.anchor = head;
  return entry;
}

// A cursor move as a member who knows the user receives it.
PresenceEntry MoveOnly(PresenceEntry entry) {
  entry.identity = false;
  entry.name.clear();
  entry.colour = 0;
  return entry;
}

PresenceEntry Stripped(const PresenceEntry& entry) {
  PresenceEntry stripped;
  stripped.user = entry.user;
  stripped.name = entry.name;
  stripped.colour = entry.colour;
  return stripped;
}

const PresenceBatch* BatchFor(const std::vector<std::pair<ReplicaId, PresenceBatch>>& batches, ReplicaId user) {
  for (const auto& [to, batch] : batches) {
    if (to == user) return &batch;
  }
  return nullptr;
}

// What peer `from` sends neighbour `to` when its batches are due at `at`
// (an empty batch when nothing goes there).
PresenceBatch BatchTo(PresenceGossip& from, ReplicaId to, int64_t at) {
  const auto due = from.TakeDue(at);
  const PresenceBatch* batch = BatchFor(due.batches, to);
  return batch == nullptr ? PresenceBatch{} : *batch;
}

// Peers 1, 2 and 3 in a line: 1 - 2 - 3.
struct GossipLine {
  PresenceOptions options;
  PresenceGossip one{1, options}, two{2, options}, three{3, options};
  GossipLine() {
    one.LinkUp(2);
    two.LinkUp(1);
    two.LinkUp(3);
    three.LinkUp(2);
  }
  void CheckInvariants() const {
    one.CheckInvariants();
    two.CheckInvariants();
    three.CheckInvariants();
  }
};

TEST(PresenceThrottle, SendsAtMostOnePerIntervalAndAlwaysTheNewest) {
  PresenceThrottle throttle{PresenceOptions{}};
  std::vector<std::pair<int64_t, std::string>> sent;
  for (int64_t ms = 0; ms < 1000; ++ms) {  // the cursor moves every millisecond
    const int64_t now = kStart + ms * kMs;
    throttle.Set(At(1, std::to_string(ms)));
    if (auto entry = throttle.TakeDue(now)) sent.emplace_back(now, entry->head);
  }
  ASSERT_EQ(sent.size(), 20u);
  for (size_t k = 0; k < sent.size(); ++k) {
    EXPECT_EQ(sent[k].first, kStart + static_cast<int64_t>(k) * 50 * kMs);
    EXPECT_EQ(sent[k].second, std::to_string(k * 50));  // the newest at that moment
  }
  EXPECT_EQ(throttle.sent(), 20u);
  EXPECT_EQ(throttle.coalesced(), 1000u - 20u - 1u);  // the last one is still pending
  // The pending newest goes out once the interval has passed.
  EXPECT_EQ(throttle.NextDue(), kStart + 1000 * kMs);
  EXPECT_EQ(throttle.TakeDue(kStart + 1000 * kMs)->head, "999");
}

TEST(PresenceThrottle, AnIdleUserIsResentBeforeTheTtlAndAReconnectSendsAtOnce) {
  PresenceOptions options;
  PresenceThrottle throttle{options};
  EXPECT_EQ(throttle.NextDue(), std::nullopt);  // nothing to say yet
  throttle.Set(At(1, "a"));
  ASSERT_TRUE(throttle.TakeDue(kStart).has_value());
  throttle.Set(At(1, "a"));  // unchanged: not a new update
  EXPECT_EQ(throttle.NextDue(), kStart + options.keepalive_ns);
  EXPECT_LT(options.keepalive_ns, options.ttl_ns);
  EXPECT_FALSE(throttle.TakeDue(kStart + options.keepalive_ns - 1).has_value());
  EXPECT_EQ(throttle.TakeDue(kStart + options.keepalive_ns)->head, "a");

  throttle.Disconnected();
  throttle.Set(At(1, "b"));
  EXPECT_EQ(throttle.NextDue(), std::nullopt);
  EXPECT_FALSE(throttle.TakeDue(kStart + 20 * kS).has_value());
  throttle.Reconnected();
  EXPECT_EQ(throttle.TakeDue(kStart + 20 * kS)->head, "b");
}

TEST(PresenceRoom, AFloodIsCutToTheRateWithoutTouchingOthers) {
  PresenceOptions options;
  PresenceRoom room{options};
  room.Join(1, false, kStart);
  room.Join(2, false, kStart);
  uint64_t flood_admitted = 0, steady_admitted = 0;
  for (int64_t ms = 0; ms < 2000; ++ms) {  // user 1: 1,000 per second for 2 s
    const int64_t now = kStart + ms * kMs;
    flood_admitted += room.Update(1, At(1, std::to_string(ms)), now);
    if (ms % 50 == 0) steady_admitted += room.Update(2, At(2, std::to_string(ms), "bo"), now);
  }
  // The bucket starts full (burst 20) and refills 20 a second.
  EXPECT_LE(flood_admitted, options.burst + 2 * options.rate_per_s);
  EXPECT_GE(flood_admitted, 2 * options.rate_per_s);
  EXPECT_EQ(steady_admitted, 40u);
  // Every flood update that never took effect, but the newest, kept aside.
  EXPECT_EQ(room.dropped(), 2000u - flood_admitted - 1);
  room.CheckInvariants();
  // The flood's last update was over the rate, but it is the user's newest:
  // it takes effect with the next token (within 1/20 s), so the others end
  // up seeing where the flooder really is.
  EXPECT_NE(room.entries().at(1).head, "1999");
  EXPECT_TRUE(room.BatchPending());
  room.TakeBatches(kStart + 2000 * kMs + kS / options.rate_per_s);  // a token's time later
  EXPECT_EQ(room.entries().at(1).head, "1999");
  EXPECT_EQ(room.dropped(), 2000u - flood_admitted - 1);  // it took effect: not a drop
  room.CheckInvariants();
  // A non-member's update is dropped too.
  EXPECT_FALSE(room.Update(9, At(9, "x"), kStart + 3 * kS));
  EXPECT_EQ(room.dropped(), 2000u - flood_admitted);
}

TEST(PresenceRoom, BatchesGoOutPerIntervalWithTheFullListForJoinersAndChangesAfter) {
  PresenceOptions options;
  PresenceRoom room{options};
  room.Join(1, false, kStart);
  room.Join(2, false, kStart);
  ASSERT_TRUE(room.Update(1, At(1, "p1"), kStart));
  auto batches = room.TakeBatches(kStart);
  ASSERT_NE(BatchFor(batches, 2), nullptr);
  EXPECT_TRUE(BatchFor(batches, 2)->full);
  EXPECT_EQ(BatchFor(batches, 2)->entries, std::vector<PresenceEntry>{At(1, "p1")});
  ASSERT_NE(BatchFor(batches, 1), nullptr);  // the joiner's (empty) list
  EXPECT_TRUE(BatchFor(batches, 1)->entries.empty());  // never its own entry

  ASSERT_TRUE(room.Update(1, At(1, "p2"), kStart + 10 * kMs));
  EXPECT_EQ(room.NextDue(), kStart + options.broadcast_interval_ns);
  EXPECT_TRUE(room.TakeBatches(kStart + 10 * kMs).empty());  // not yet
  batches = room.TakeBatches(kStart + 50 * kMs);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].first, 2u);
  EXPECT_FALSE(batches[0].second.full);
  // User 2 knows user 1 by name since the full list: the move comes without.
  EXPECT_EQ(batches[0].second.entries, std::vector<PresenceEntry>{MoveOnly(At(1, "p2"))});
  // A new name comes with the move.
  ASSERT_TRUE(room.Update(1, At(1, "p3", "ana b"), kStart + 60 * kMs));
  batches = room.TakeBatches(kStart + 100 * kMs);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].second.entries, std::vector<PresenceEntry>{At(1, "p3", "ana b")});
  ASSERT_TRUE(room.Update(1, At(1, "p2", "ana b"), kStart + 105 * kMs));
  batches = room.TakeBatches(kStart + 150 * kMs);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].second.entries, std::vector<PresenceEntry>{MoveOnly(At(1, "p2", "ana b"))});

  // Nothing changed: nothing is due but the TTL.
  EXPECT_EQ(room.NextDue(), kStart + 105 * kMs + options.ttl_ns);
}

TEST(PresenceRoom, SilentEntriesExpireAndLeaversAreRemovedAtOnce) {
  PresenceOptions options;
  PresenceRoom room{options};
  for (ReplicaId user : {1u, 2u, 3u}) room.Join(user, false, kStart);
  ASSERT_TRUE(room.Update(1, At(1, "a"), kStart));
  ASSERT_TRUE(room.Update(2, At(2, "b"), kStart));
  room.TakeBatches(kStart);
  // User 2 keeps alive; user 1 goes silent; user 3 leaves.
  ASSERT_TRUE(room.Update(2, At(2, "b"), kStart + 20 * kS));
  room.Leave(3);
  EXPECT_FALSE(room.IsMember(3));
  auto batches = room.TakeBatches(kStart + 20 * kS);
  EXPECT_TRUE(batches.empty());  // user 3 had no entry; user 2 unchanged
  EXPECT_EQ(room.NextDue(), kStart + options.ttl_ns);
  batches = room.TakeBatches(kStart + options.ttl_ns);
  ASSERT_NE(BatchFor(batches, 2), nullptr);
  EXPECT_EQ(BatchFor(batches, 2)->removed, std::vector<ReplicaId>{1});
  EXPECT_EQ(room.entries().size(), 1u);
  // A member that reconnects gets the whole list again.
  room.Join(1, false, kStart + 31 * kS);
  batches = room.TakeBatches(kStart + 31 * kS);
  ASSERT_NE(BatchFor(batches, 1), nullptr);
  EXPECT_TRUE(BatchFor(batches, 1)->full);
  EXPECT_EQ(BatchFor(batches, 1)->entries, std::vector<PresenceEntry>{At(2, "b")});
  room.CheckInvariants();
}

TEST(PresenceRoom, ALargeAudienceOfViewersSeesWhoIsHereButNoCursors) {
  PresenceOptions options;
  options.viewers_with_cursors = 2;
  PresenceRoom room{options};
  room.Join(1, false, kStart);
  for (ReplicaId viewer : {11u, 12u, 13u}) room.Join(viewer, true, kStart);
  EXPECT_FALSE(room.ViewersSeeCursors());
  ASSERT_TRUE(room.Update(1, At(1, "a"), kStart));
  auto batches = room.TakeBatches(kStart);
  EXPECT_EQ(BatchFor(batches, 11)->entries, std::vector<PresenceEntry>{Stripped(At(1, "a"))});
  // A cursor move reaches no viewer; a viewer's own viewport reaches the editor.
  ASSERT_TRUE(room.Update(1, At(1, "b"), kStart + 50 * kMs));
  PresenceEntry watching = At(12, "", "vi");
  watching.viewport = Viewport{"v0", "v9"};
  ASSERT_TRUE(room.Update(12, watching, kStart + 50 * kMs));
  batches = room.TakeBatches(kStart + 50 * kMs);
  EXPECT_EQ(BatchFor(batches, 1)->entries, std::vector<PresenceEntry>{watching});
  EXPECT_EQ(BatchFor(batches, 11)->entries, std::vector<PresenceEntry>{Stripped(watching)});
  // The audience shrinks to the limit: viewers get everything, with cursors.
  room.Leave(13);
  batches = room.TakeBatches(kStart + 100 * kMs);
  ASSERT_NE(BatchFor(batches, 11), nullptr);
  EXPECT_TRUE(BatchFor(batches, 11)->full);
  EXPECT_EQ(BatchFor(batches, 11)->entries, (std::vector<PresenceEntry>{At(1, "b"), watching}));
}

TEST(PresenceCodec, RoundTripsAndRefusesForgedBatches) {
  PresenceBatch batch;
  batch.entries = {At(1, "x"), At(2, "y", "Bö"), MoveOnly(At(3, "z"))};
  batch.entries[0].anchor = "w";  // a selection from w to x
  batch.entries[1].viewport = Viewport{"a", "b"};
  batch.removed = {5, 7};
  batch.unknown = {4, 5};  // asking is apart from sending or removing
  wire::PresenceBatch encoded;
  EncodePresenceBatch(batch, &encoded);
  // A caret's anchor is its head, so the wire carries its head only.
  EXPECT_EQ(encoded.entries(0).anchor(), "w");
  EXPECT_EQ(encoded.entries(1).anchor(), "");
  // A move without the identity carries no name or colour at all.
  EXPECT_FALSE(encoded.entries(2).has_name());
  EXPECT_FALSE(encoded.entries(2).has_colour());
  auto decoded = DecodePresenceBatch(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, batch);

  auto refused = [&](auto mutate, const std::string& field) {
    wire::PresenceBatch forged = encoded;
    mutate(forged);
    const auto result = DecodePresenceBatch(forged);
    EXPECT_FALSE(result.ok()) << field;
    if (!result.ok()) {
      EXPECT_NE(result.status().message().find(field), std::string::npos) << result.status();
    }
  };
  refused([](auto& b) { b.mutable_entries(0)->set_user(0); }, "user 0");
  refused([](auto& b) { b.add_removed(1); }, "appears twice");
  refused([](auto& b) { b.add_unknown(4); }, "unknown: user 4 appears twice");
  refused([](auto& b) { b.add_unknown(0); }, "unknown: user 0");
  refused([](auto& b) { b.set_full(true); }, "full batch");
  refused([](auto& b) { b.mutable_entries(0)->set_name(std::string(65, 'n')); }, "name");
  refused([](auto& b) { b.mutable_entries(0)->set_name("\xff"); }, "UTF-8");
  refused([](auto& b) { b.mutable_entries(0)->set_colour(0x1000000); }, "colour");
  refused([](auto& b) { b.mutable_entries(2)->set_colour(0x3366cc); }, "colour: sent without a name");
  refused([](auto& b) { b.mutable_entries(0)->set_head(""); }, "anchor");
  refused([](auto& b) { b.mutable_entries(0)->set_head(std::string(129, 'h')); }, "head");
  refused([](auto& b) { b.mutable_entries(1)->mutable_viewport()->set_last(std::string(129, 'v')); }, "viewport.last");
}

// Random joins, leaves, updates (some over the rate) and batch times: after
// a last batch, every member's roster (built only from its batches) holds
// exactly the room's entries of the other users, stripped of positions for
// viewers in a large audience; and the bucket never admits more than the
// burst plus the rate over the elapsed time.
RC_GTEST_PROP(PresenceRoom, RostersFollowTheRoom, ()) {
  PresenceOptions options;
  options.viewers_with_cursors = *rc::gen::inRange<uint32_t>(0, 3);
  options.ttl_ns = *rc::gen::inRange<int64_t>(1, 5) * kS;
  PresenceRoom room{options};
  std::map<ReplicaId, PresenceRoster> rosters;
  std::map<ReplicaId, bool> viewers;
  std::map<ReplicaId, uint64_t> admitted;
  std::map<ReplicaId, int64_t> joined_at;
  int64_t now = kStart;
  const int steps = *rc::gen::inRange(1, 200);
  for (int step = 0; step < steps; ++step) {
    now += *rc::gen::inRange<int64_t>(0, 400) * kMs;
    const ReplicaId user = *rc::gen::inRange<ReplicaId>(1, 6);
    switch (*rc::gen::inRange(0, 6)) {
      case 0: {
        const bool viewer = *rc::gen::arbitrary<bool>();
        room.Join(user, viewer, now);
        rosters[user] = PresenceRoster{};
        viewers[user] = viewer;
        admitted[user] = 0;  // a new connection starts with a full bucket
        joined_at[user] = now;
        break;
      }
      case 1:
        room.Leave(user);
        rosters.erase(user);
        break;
      case 2:
      case 3: {
        PresenceEntry entry = At(user, std::string(1, static_cast<char>('a' + *rc::gen::inRange(0, 3))),
                                 *rc::gen::element<std::string>("ana", "bo"));
        if (room.Update(user, entry, now)) {
          ++admitted[user];
          const int64_t refill = (now - joined_at.at(user)) * static_cast<int64_t>(options.rate_per_s) / kS;
          RC_ASSERT(admitted[user] <= options.burst + static_cast<uint64_t>(refill));
        }
        break;
      }
      default:
        for (auto& [to, batch] : room.TakeBatches(now)) {
          RC_ASSERT(rosters.contains(to));
          rosters[to].Apply(batch);
        }
    }
    room.CheckInvariants();
  }
  now += options.broadcast_interval_ns;
  for (auto& [to, batch] : room.TakeBatches(now)) rosters.at(to).Apply(batch);
  const bool positions_for_viewers = room.ViewersSeeCursors();
  for (const auto& [user, roster] : rosters) {
    const bool strip = viewers.at(user) && !positions_for_viewers;
    std::map<ReplicaId, PresenceEntry> expected;
    for (const auto& [other, entry] : room.entries()) {
      if (other != user) expected[other] = strip ? Stripped(entry) : entry;
    }
    RC_ASSERT(roster.entries() == expected);
  }
}

TEST(PresenceRoster, AppliesFullAndIncrementalBatches) {
  PresenceRoster roster;
  roster.Apply(PresenceBatch{true, {At(1, "a"), At(2, "b")}, {}});
  roster.Apply(PresenceBatch{false, {At(2, "c")}, {1}});
  ASSERT_EQ(roster.entries().size(), 1u);
  EXPECT_EQ(roster.entries().at(2), At(2, "c"));
  // A move without the identity keeps the name and colour held.
  roster.Apply(PresenceBatch{false, {MoveOnly(At(2, "d", "bo"))}, {}});
  EXPECT_EQ(roster.entries().at(2), At(2, "d"));
  // One for a user not held (or removed in the same batch, or in a full
  // batch) cannot apply, and Check says so before anything changes.
  for (const PresenceBatch& bad : {PresenceBatch{false, {MoveOnly(At(1, "e"))}, {}},
                                   PresenceBatch{false, {MoveOnly(At(2, "e"))}, {2}},
                                   PresenceBatch{true, {MoveOnly(At(2, "e"))}, {}}}) {
    const absl::Status checked = roster.Check(bad);
    EXPECT_EQ(checked.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(checked.message().find("no name"), std::string::npos) << checked;
  }
  EXPECT_EQ(roster.entries().at(2), At(2, "d"));
  roster.Apply(PresenceBatch{true, {}, {}});
  EXPECT_TRUE(roster.entries().empty());
}

// Three peers in a line, 1 - 2 - 3: what 1 publishes reaches 3 through 2,
// never goes back where it came from, and older versions are ignored.
TEST(PresenceGossip, PassesTheNewestAlongAndNeverBack) {
  GossipLine line;
  auto& [options, one, two, three] = line;
  const uint64_t v1 = one.Publish(At(1, "a"), kStart);
  auto due = one.TakeDue(kStart);
  ASSERT_EQ(due.batches.size(), 1u);
  EXPECT_EQ(due.batches[0].first, 2u);
  EXPECT_EQ(due.batches[0].second.entries[0].version, v1);
  const std::vector<PresenceEntry> fresh = two.Receive(1, due.batches[0].second, kStart + 10 * kMs);
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(fresh[0].head, "a");
  due = two.TakeDue(kStart + 10 * kMs);
  ASSERT_EQ(due.batches.size(), 1u);
  EXPECT_EQ(due.batches[0].first, 3u);  // not back to 1
  EXPECT_EQ(three.Receive(2, due.batches[0].second, kStart + 20 * kMs).size(), 1u);
  EXPECT_EQ(three.entries().at(1).head, "a");
  // A newer version replaces it; the old one arriving late changes nothing.
  const PresenceBatch old = PresenceBatch{false, {three.entries().at(1)}, {}};
  one.Publish(At(1, "b"), kStart + 100 * kMs);
  two.Receive(1, one.TakeDue(kStart + 100 * kMs).batches[0].second, kStart + 110 * kMs);
  three.Receive(2, two.TakeDue(kStart + 110 * kMs).batches[0].second, kStart + 120 * kMs);
  EXPECT_EQ(three.entries().at(1).head, "b");
  EXPECT_TRUE(three.Receive(2, old, kStart + 130 * kMs).empty());
  EXPECT_EQ(three.entries().at(1).head, "b");
  // 3 received 1's entry from 2, so 2 is never sent it back.
  EXPECT_FALSE(three.BatchPending());
  line.CheckInvariants();
}

TEST(PresenceGossip, ANewLinkGetsEverythingHeldAndSilentEntriesExpire) {
  const PresenceOptions options;
  PresenceGossip one(1, options), two(2, options);
  one.Publish(At(1, "mine"), kStart);
  two.LinkUp(5);
  two.Receive(5, PresenceBatch{false, {[] { PresenceEntry e = At(4, "far"); e.version = 7; return e; }()}, {}}, kStart);
  two.LinkUp(1);
  const auto due = two.TakeDue(kStart + kMs);
  ASSERT_EQ(due.batches.size(), 1u);
  EXPECT_EQ(due.batches[0].first, 1u);
  ASSERT_EQ(due.batches[0].second.entries.size(), 1u);
  EXPECT_EQ(due.batches[0].second.entries[0].user, 4u);
  EXPECT_EQ(one.Receive(2, due.batches[0].second, kStart + 2 * kMs).size(), 1u);
  // Nothing refreshes user 4's entry: it is gone after the TTL, not before.
  EXPECT_TRUE(one.TakeDue(kStart + 2 * kMs + options.ttl_ns - 1).expired.empty());
  EXPECT_EQ(one.TakeDue(kStart + 2 * kMs + options.ttl_ns).expired, std::vector<ReplicaId>{4});
  EXPECT_TRUE(one.entries().empty());
}

// A neighbour relaying 1,000 versions of one owner in a second: at most the
// burst plus the rate get in, and the others' entries still do.
TEST(PresenceGossip, EachOwnerIsRateLimitedAtEveryPeer) {
  const PresenceOptions options;
  PresenceGossip peer(2, options);
  peer.LinkUp(1);
  uint64_t admitted = 0;
  for (int k = 1; k <= 1000; ++k) {
    PresenceEntry flood = At(1, "x");
    flood.version = static_cast<uint64_t>(k);
    admitted += peer.Receive(1, PresenceBatch{false, {flood}, {}}, kStart + k * kMs).size();
    if (k % 100 == 0) {
      PresenceEntry calm = At(3, "y");
      calm.version = static_cast<uint64_t>(k);
      EXPECT_EQ(peer.Receive(1, PresenceBatch{false, {calm}, {}}, kStart + k * kMs).size(), 1u);
    }
  }
  EXPECT_LE(admitted, options.burst + options.rate_per_s);
  EXPECT_GE(admitted, options.burst + options.rate_per_s - 1);
  EXPECT_EQ(peer.dropped(), 1000 - admitted - 1);  // all but the newest, kept aside
  // The newest (version 1000) was kept aside and goes in with the next token.
  EXPECT_LT(peer.entries().at(1).version, 1000u);
  EXPECT_TRUE(peer.BatchPending());
  const PresenceGossip::Due taken = peer.TakeDue(kStart + 1000 * kMs + kS / options.rate_per_s);
  ASSERT_EQ(taken.admitted.size(), 1u);
  EXPECT_EQ(taken.admitted[0].version, 1000u);
  EXPECT_EQ(peer.entries().at(1).version, 1000u);
  peer.CheckInvariants();
}

// A move of an owner a neighbour already knows goes without the name and
// colour, and arrives with them; a new name goes whole again.
TEST(PresenceGossip, MovesOfAKnownOwnerLeaveTheNameOut) {
  GossipLine line;
  auto& [options, one, two, three] = line;
  int64_t now = kStart;
  // One batch from `from` to `to`, delivered; it is what the test inspects.
  auto hop = [&](PresenceGossip& from, ReplicaId to_id, PresenceGossip& to, ReplicaId from_id) {
    now += 100 * kMs;
    const PresenceBatch batch = BatchTo(from, to_id, now);
    EXPECT_FALSE(batch.entries.empty());
    to.Receive(from_id, batch, now);
    return batch;
  };
  one.Publish(At(1, "a", "ana"), now);
  EXPECT_TRUE(hop(one, 2, two, 1).entries.at(0).identity);  // first time: whole
  EXPECT_TRUE(hop(two, 3, three, 2).entries.at(0).identity);
  one.Publish(At(1, "b", "ana"), now);
  PresenceBatch move = hop(one, 2, two, 1);
  PresenceEntry expected = MoveOnly(At(1, "b"));
  expected.version = move.entries.at(0).version;
  EXPECT_EQ(move.entries[0], expected);
  EXPECT_FALSE(hop(two, 3, three, 2).entries.at(0).identity);
  // Each shows it with the name it holds, and passes it on named.
  EXPECT_EQ(two.entries().at(1).name, "ana");
  EXPECT_EQ(three.entries().at(1).head, "b");
  EXPECT_EQ(three.entries().at(1).name, "ana");
  EXPECT_EQ(three.entries().at(1).colour, 0x3366ccu);
  // A new name is sent whole.
  one.Publish(At(1, "b", "ana b."), now);
  move = hop(one, 2, two, 1);
  EXPECT_TRUE(move.entries.at(0).identity);
  EXPECT_EQ(move.entries.at(0).name, "ana b.");
  hop(two, 3, three, 2);
  EXPECT_EQ(three.entries().at(1).name, "ana b.");
  line.CheckInvariants();
}

// A peer that forgot an owner by TTL (its neighbour had not) cannot show a
// nameless move: it asks, and the neighbour's answer is the whole entry.
TEST(PresenceGossip, ANamelessMoveForAForgottenOwnerIsAskedFor) {
  const PresenceOptions options;
  PresenceGossip one(1, options), two(2, options);
  one.LinkUp(2);
  two.LinkUp(1);
  // User 4's entry reaches 1, and 1 passes it to 2.
  PresenceEntry far = At(4, "x", "dee");
  far.version = 10;
  one.LinkUp(4);
  ASSERT_EQ(one.Receive(4, PresenceBatch{false, {far}, {}}, kStart).size(), 1u);
  ASSERT_EQ(two.Receive(1, BatchTo(one, 2, kStart), kStart).size(), 1u);
  // 2 forgets it after the TTL; 1 heard a newer one from 4 just in time.
  far.version = 11;
  far.head = "y";
  ASSERT_EQ(one.Receive(4, PresenceBatch{false, {MoveOnly(far)}, {}}, kStart + options.ttl_ns - kMs).size(), 1u);
  EXPECT_EQ(two.TakeDue(kStart + options.ttl_ns).expired, std::vector<ReplicaId>{4});
  PresenceBatch move = BatchTo(one, 2, kStart + options.ttl_ns);
  ASSERT_EQ(move.entries.size(), 1u);
  EXPECT_FALSE(move.entries[0].identity);
  EXPECT_TRUE(two.Receive(1, move, kStart + options.ttl_ns + kMs).empty());  // nothing to show it with
  EXPECT_TRUE(two.entries().empty());
  EXPECT_TRUE(two.BatchPending());
  const PresenceBatch ask = BatchTo(two, 1, kStart + options.ttl_ns + kMs);
  EXPECT_EQ(ask.unknown, std::vector<ReplicaId>{4});
  EXPECT_TRUE(ask.entries.empty());
  EXPECT_TRUE(one.Receive(2, ask, kStart + options.ttl_ns + 2 * kMs).empty());
  const PresenceBatch answer = BatchTo(one, 2, kStart + options.ttl_ns + 60 * kMs);
  ASSERT_EQ(answer.entries.size(), 1u);
  EXPECT_EQ(answer.entries[0], far);  // whole, with the name
  const std::vector<PresenceEntry> shown = two.Receive(1, answer, kStart + options.ttl_ns + 61 * kMs);
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0].name, "dee");
  EXPECT_EQ(two.entries().at(4).head, "y");
  EXPECT_FALSE(two.BatchPending());
  one.CheckInvariants();
  two.CheckInvariants();
}

// A value drawn from the whole range at any test size: the gossip property
// needs its long runs from the first case on, not only as the size grows.
template <typename T>
T Pick(T low, T high) {
  return *rc::gen::resize(rc::kNominalSize, rc::gen::inRange<T>(low, high));
}

// Random publishes (some over the rate), links going
// down (what was in flight is lost) and up, batches taken and delivered in
// any order per link, and silences past the TTL, so peers forget owners
// their neighbours still hold: once every owner speaks again and the mesh
// is quiet, every peer holds the newest entry of every owner it is linked
// to by some path, name and colour included.
RC_GTEST_PROP(PresenceGossip, PeersAgreeOnEveryOwnerTheyCanReach, ()) {
  PresenceOptions options;
  options.ttl_ns = Pick<int64_t>(1, 4) * kS;
  constexpr ReplicaId kPeers = 4;
  std::map<ReplicaId, std::unique_ptr<PresenceGossip>> peers;
  std::map<ReplicaId, PresenceEntry> own;  // what each owner last published
  for (ReplicaId id = 1; id <= kPeers; ++id) peers[id] = std::make_unique<PresenceGossip>(id, options);
  std::set<std::pair<ReplicaId, ReplicaId>> up;                        // a < b
  std::map<std::pair<ReplicaId, ReplicaId>, std::deque<PresenceBatch>> wire;  // (from, to), FIFO
  const auto connect = [&](ReplicaId a, ReplicaId b) {
    if (a == b || !up.insert({std::min(a, b), std::max(a, b)}).second) return;
    peers[a]->LinkUp(b);
    peers[b]->LinkUp(a);
  };
  const auto cut = [&](ReplicaId a, ReplicaId b) {
    if (up.erase({std::min(a, b), std::max(a, b)}) == 0) return;
    peers[a]->LinkDown(b);
    peers[b]->LinkDown(a);
    wire.erase({a, b});
    wire.erase({b, a});
  };
  int64_t now = kStart;
  const auto take = [&](ReplicaId from) {
    for (auto& [to, batch] : peers[from]->TakeDue(now).batches) {
      RC_ASSERT(up.contains({std::min(from, to), std::max(from, to)}));
      wire[{from, to}].push_back(std::move(batch));
    }
  };
  const auto deliver = [&](std::pair<ReplicaId, ReplicaId> link) {
    std::deque<PresenceBatch>& queue = wire[link];
    if (queue.empty()) return;
    for (const PresenceEntry& entry : peers[link.second]->Receive(link.first, queue.front(), now)) {
      RC_ASSERT(entry.identity);  // shown with a name, always
    }
    queue.pop_front();
  };
  const auto publish = [&](ReplicaId owner) {
    // Names are fixed per user for a session, as a scenario gives them.
    PresenceEntry entry = At(owner, std::string(1, static_cast<char>('a' + Pick<int>(0, 4))),
                             owner % 2 == 0 ? "ana" : "bo");
    entry.version = peers[owner]->Publish(entry, now);
    own[owner] = entry;
  };
  connect(1, 2);
  connect(2, 3);
  connect(3, 4);
  const int steps = 100 + Pick<int>(0, 200);  // long enough for owners to be forgotten and asked for
  for (int step = 0; step < steps; ++step) {
    const ReplicaId a = Pick<ReplicaId>(1, kPeers + 1);
    const ReplicaId b = Pick<ReplicaId>(1, kPeers + 1);
    switch (Pick<int>(0, 10)) {
      case 0:
      case 1:
        publish(a);
        break;
      case 2:
        now += Pick<int64_t>(0, 5000) * kMs;  // often past the TTL
        break;
      case 3:
        now += Pick<int64_t>(0, 100) * kMs;
        break;
      case 4:
        connect(a, b);
        break;
      case 5:
        if (Pick<int>(0, 3) == 0) cut(a, b);
        break;
      case 6:
      case 7:
        take(a);
        break;
      default:
        deliver({a, b});
    }
    peers[a]->CheckInvariants();
  }
  // Everyone speaks again, then the mesh settles well within the TTL.
  for (ReplicaId id = 1; id <= kPeers; ++id) publish(id);
  const int64_t settle_from = now;
  bool settled = false;
  for (int round = 0; round < 200 && !settled; ++round) {
    now += options.broadcast_interval_ns;
    for (ReplicaId id = 1; id <= kPeers; ++id) take(id);
    bool moved = false;
    for (auto& [link, queue] : wire) {
      while (!queue.empty()) {
        deliver(link);
        moved = true;
      }
    }
    bool pending = false;
    for (const auto& [id, peer] : peers) pending = pending || peer->BatchPending();
    settled = !moved && !pending;
  }
  RC_ASSERT(settled);
  RC_ASSERT(now - settle_from < options.ttl_ns);  // nothing expired while it settled
  // Reach: peers joined by a path of links that are up.
  std::map<ReplicaId, ReplicaId> component;
  for (ReplicaId id = 1; id <= kPeers; ++id) component[id] = id;
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto& [x, y] : up) {
      const ReplicaId low = std::min(component[x], component[y]);
      if (component[x] != low || component[y] != low) changed = true;
      component[x] = component[y] = low;
    }
  }
  for (ReplicaId id = 1; id <= kPeers; ++id) {
    peers[id]->CheckInvariants();
    RC_ASSERT(!peers[id]->BatchPending());
    for (ReplicaId owner = 1; owner <= kPeers; ++owner) {
      if (owner == id || component[owner] != component[id]) continue;
      RC_ASSERT(peers[id]->entries().contains(owner));
      RC_ASSERT(peers[id]->entries().at(owner) == own.at(owner));
    }
  }
}

// An app restarted without its memory publishes versions from its clock,
// above whatever its earlier life sent.
TEST(PresenceGossip, ARestartedPeerStillMovesForward) {
  const PresenceOptions options;
  PresenceGossip before(1, options);
  const uint64_t old = before.Publish(At(1, "a"), kStart);
  before.Publish(At(1, "b"), kStart);  // same clock reading: still newer
  PresenceGossip after(1, options);
  EXPECT_GT(after.Publish(At(1, "c"), kStart + kMs), old + 1);
}

}  // namespace
}  // namespace collabsim

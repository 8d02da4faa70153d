// The presence channel's common parts: the client's throttle (at most one
// update per interval, the newest; keepalive; reconnect), the server's
// room (token-bucket rate limit, batches per interval, TTL, leave and
// rejoin, viewers without cursors in large audiences), the wire codec's
// refusals, the roster, and a property: whatever members do, after the
// last batch each member's roster is exactly the room's entries of the
// others. The mesh's gossip is in presence_gossip_test.cc.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>
#include <rapidcheck/gtest.h>

#include "engines/presence/presence_codec.h"
#include "engines/presence/presence_room.h"
#include "engines/presence/presence_roster.h"
#include "engines/presence/presence_throttle.h"
#include "tests/engines/presence/presence_test_util.h"

namespace collabsim {
namespace {

using presence_testing::At;
using presence_testing::BatchFor;
using presence_testing::kMs;
using presence_testing::kS;
using presence_testing::kStart;
using presence_testing::MoveOnly;

PresenceEntry Stripped(const PresenceEntry& entry) {
  PresenceEntry stripped;
  stripped.user = entry.user;
  stripped.name = entry.name;
  stripped.colour = entry.colour;
  return stripped;
}


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

}  // namespace
}  // namespace collabsim

// The mesh's presence gossip: the newest version wins, it is forwarded once
// per link, rate-limited per owner, forgotten after the TTL, and names are
// left out for neighbours that know them; and a property: whatever peers
// do, once quiet each holds every reachable owner's newest entry.
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

#include "engines/presence/presence_gossip.h"
#include "tests/engines/presence/presence_test_util.h"

namespace collabsim {
namespace {

using presence_testing::At;
using presence_testing::BatchFor;
using presence_testing::kMs;
using presence_testing::kS;
using presence_testing::kStart;
using presence_testing::MoveOnly;

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

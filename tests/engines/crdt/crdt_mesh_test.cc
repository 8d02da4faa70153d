// The CRDT mesh protocol driven by hand: forwarding across peers that are
// not linked, catch-up on connect, acks, suppression of what a peer is known
// to hold, restarts, random delivery orders, and malformed messages that
// must change nothing.
#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crdt_wire.pb.h"
#include "engines/common/probes.h"
#include "engines/crdt/crdt_engine.h"
#include "engines/crdt/crdt_peer.h"
#include "tests/engines/common/mesh_harness.h"

namespace collabsim::crdt {
namespace {

using ::collabsim::testing::MeshHarness;

const Engine& Mesh() { return FugueMaxMeshEngine(); }

uint64_t ProbeCount(const Replica& replica, std::string_view name) {
  const auto probes = replica.Stats().probes;
  const auto it = probes.find(name);
  return it == probes.end() ? 0 : it->second;
}

TEST(CrdtMesh, EngineDeclaresTheMeshTopology) {
  EXPECT_EQ(Mesh().traits().name, "crdt-mesh");
  EXPECT_EQ(Mesh().traits().topology, Topology::kMesh);
  EXPECT_NE(dynamic_cast<CrdtPeer*>(Mesh().CreateClient(1, {}).get()), nullptr);
}

TEST(CrdtMesh, ChangesTravelThroughAPeerBetweenTwoThatAreNotLinked) {
  MeshHarness h(Mesh(), 3);
  h.Link(1, 2);
  h.Link(2, 3);  // 1 and 3 never meet
  h.DeliverAll();
  h.Type(1, 0, "hello");
  h.DeliverAll();
  EXPECT_EQ(h.peer(3).GetView().text, "hello");
  h.Type(3, 5, " world");
  h.DeliverAll();
  h.ExpectConverged("hello world");
  EXPECT_EQ(h.Queued(1, 3), 0u);
}

TEST(CrdtMesh, ConcurrentWordsNeverInterleave) {
  MeshHarness h(Mesh(), 2);
  for (ReplicaId k = 1; k <= 2; ++k) {
    for (size_t i = 0; i < 3; ++i) h.Type(k, 0, std::string(1, "abcxyz"[(k - 1) * 3 + 2 - i]));
  }
  h.LinkAll();
  h.DeliverAll();
  const std::string text = h.peer(1).GetView().text;
  EXPECT_TRUE(text == "abcxyz" || text == "xyzabc") << text;
  h.ExpectConverged(text);
}

TEST(CrdtMesh, AFirstHandChangeIsAcknowledgedAndAForwardedOneIsNot) {
  MeshHarness h(Mesh(), 3);
  h.Link(1, 2);
  h.Link(2, 3);
  h.DeliverAll();
  h.Type(1, 0, "a");
  EXPECT_EQ(h.peer(1).Stats().pending_intents, 1u);
  h.Deliver(1, 2);  // 2 applies, acks to 1, forwards to 3
  EXPECT_EQ(h.Queued(2, 1), 1u);
  EXPECT_EQ(h.Queued(2, 3), 1u);
  h.Deliver(2, 3);
  EXPECT_EQ(h.Queued(3, 2), 0u) << "3 got the change second-hand and acknowledges nothing";
  h.Deliver(2, 1);
  EXPECT_EQ(h.peer(1).Stats().pending_intents, 0u);
}

TEST(CrdtMesh, APeerIsNotSentWhatItIsKnownToHold) {
  MeshHarness h(Mesh(), 3);
  h.LinkAll();
  h.DeliverAll();
  h.Type(1, 0, "x");
  // 2 receives 1's change and would forward it to 3; but 3 already sent it
  // on to 2 first, so 2 knows 3 holds it.
  h.Deliver(1, 3);
  h.Deliver(3, 2);  // 3's ack goes to 1; its forward of "x" goes to 2
  EXPECT_EQ(h.Queued(2, 3), 0u);
  h.Deliver(1, 2);
  EXPECT_EQ(h.Queued(2, 3), 0u) << "2 knows 3 holds the change it got from 3";
  h.DeliverAll();
  h.ExpectConverged("x");
}

TEST(CrdtMesh, ALongAbsenceEndsInACatchUpFromEachNeighbour) {
  MeshHarness h(Mesh(), 3);
  h.Link(1, 2);
  h.DeliverAll();
  for (int k = 0; k < 120; ++k) h.Type(1 + k % 2, 0, "w");  // 3 is away
  h.Type(3, 0, "offline ");
  h.DeliverAll();
  h.Link(1, 3);
  h.Link(2, 3);
  h.DeliverAll();
  const std::string text = h.peer(1).GetView().text;
  EXPECT_EQ(text.size(), 128u);
  h.ExpectConverged(text);
  EXPECT_EQ(ProbeCount(h.peer(3), probes::kCatchUpAfterLongOffline), 1u) << "only the first catch-up was new";
  EXPECT_EQ(ProbeCount(h.peer(3), probes::kOpRebasedAcrossReconnect), 1u);
  EXPECT_EQ(h.peer(3).Stats().pending_intents, 0u);
  // Both neighbours sent the same 120 changes; the second copy is recognised.
  EXPECT_GE(ProbeCount(h.peer(3), probes::kDuplicateResendRecognised), 120u);
}

TEST(CrdtMesh, CatchUpArrivesInBoundedChunks) {
  MeshHarness h(Mesh(), 2);
  for (int k = 0; k < 600; ++k) h.Type(1, 0, "c");
  h.Link(1, 2);
  h.Deliver(1, 2);  // Hello
  h.Deliver(2, 1);  // Hello: 1 answers with CatchUp and chunks
  const auto& queue = h.Queue(1, 2);
  ASSERT_EQ(queue.size(), 4u);
  wire::PeerMessage catch_up;
  ASSERT_TRUE(catch_up.ParseFromString(queue.front()));
  EXPECT_EQ(catch_up.catch_up().chunks(), 3u);
  wire::PeerMessage first;
  ASSERT_TRUE(first.ParseFromString(queue[1]));
  EXPECT_EQ(first.changes().ops_size(), 256);
  h.DeliverAll();
  h.ExpectConverged(std::string(600, 'c'));
}

TEST(CrdtMesh, ADroppedLinkLosesNothingOnceItComesBack) {
  MeshHarness h(Mesh(), 2);
  h.LinkAll();
  h.DeliverAll();
  h.Type(1, 0, "lost in transit");
  h.Unlink(1, 2);
  EXPECT_EQ(h.peer(1).Stats().pending_intents, 1u);
  h.Link(1, 2);
  h.DeliverAll();
  h.ExpectConverged("lost in transit");
  EXPECT_EQ(h.peer(1).Stats().pending_intents, 0u) << "the catch-up came from its author: acknowledged";
}

TEST(CrdtMesh, RestartFromStorageKeepsTheLogAndServesIt) {
  MeshHarness h(Mesh(), 3);
  h.Link(1, 2);
  h.DeliverAll();
  h.Type(1, 0, "kept");
  h.DeliverAll();
  h.Type(2, 4, " both");
  h.DeliverAll();
  h.Type(2, 9, " unsent");
  h.Restart(2, /*from_storage=*/true);
  EXPECT_EQ(h.peer(2).GetView().text, "kept both unsent");
  EXPECT_EQ(h.peer(2).Stats().pending_intents, 1u);
  // Peer 3 has never met 1: it learns everything from the restored 2.
  h.Link(2, 3);
  h.DeliverAll();
  EXPECT_EQ(h.peer(3).GetView().text, "kept both unsent");
  EXPECT_EQ(h.peer(1).GetView().text, "kept both");
  h.Link(1, 2);
  h.DeliverAll();
  h.ExpectConverged("kept both unsent");
}

TEST(CrdtMesh, RestartWithoutStorageRelearnsFromPeersAndEditsAsANewAgent) {
  MeshHarness h(Mesh(), 2);
  h.LinkAll();
  h.DeliverAll();
  h.Type(1, 0, "ab");
  h.DeliverAll();
  h.Restart(1, /*from_storage=*/false);
  EXPECT_EQ(h.peer(1).GetView().text, "");
  h.Type(1, 0, "new ");
  h.LinkAll();
  h.DeliverAll();
  const std::string text = h.peer(2).GetView().text;
  EXPECT_TRUE(text == "new ab" || text == "abnew ") << text;
  h.ExpectConverged(text);
}

TEST(CrdtMesh, RandomDeliveryOrdersDropsAndRestartsConverge) {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    std::mt19937_64 random(seed);
    MeshHarness h(Mesh(), 4);
    for (int step = 0; step < 400; ++step) {
      const ReplicaId k = 1 + random() % 4;
      const uint64_t length = h.peer(k).TextLength();
      switch (random() % 10) {
        case 0: case 1: case 2: case 3:
          h.Type(k, random() % (length + 1), std::string(1 + random() % 3, static_cast<char>('a' + random() % 26)));
          break;
        case 4:
          if (length > 0) h.Erase(k, random() % length, 1);
          break;
        case 5: {
          const ReplicaId other = 1 + random() % 4;
          if (other == k) break;
          if (h.Linked(k, other)) {
            h.Unlink(k, other);
          } else {
            h.Link(k, other);
          }
          break;
        }
        case 6:
          if (random() % 8 == 0) h.Restart(k, random() % 2 == 0);
          break;
        default:
          for (int d = 0; d < 3; ++d) h.DeliverRandom(random);
      }
    }
    for (ReplicaId a = 1; a <= 4; ++a) {
      for (ReplicaId b = a + 1; b <= 4; ++b) {
        if (!h.Linked(a, b) && (b == a + 1)) h.Link(a, b);  // at least a line, so everyone is reachable
      }
    }
    while (h.DeliverRandom(random)) {
    }
    h.ExpectConverged(h.peer(1).GetView().text);
    if (::testing::Test::HasFailure()) FAIL() << "seed " << seed;
  }
}

TEST(CrdtMesh, MalformedOrImpossibleMessagesChangeNothing) {
  MeshHarness h(Mesh(), 2);
  h.Type(1, 0, "abc");
  h.Link(1, 2);
  Replica& peer = h.peer(1);
  const std::string before = peer.DurableState();
  auto message = [](auto fill) {
    wire::PeerMessage m;
    fill(&m);
    return m.SerializeAsString();
  };
  // Not connected to 2's Hello yet: anything but Hello is refused.
  EXPECT_FALSE(peer.Receive(2, message([](wire::PeerMessage* m) { m->mutable_catch_up()->set_chunks(1); })).ok());
  EXPECT_FALSE(peer.Receive(3, message([](wire::PeerMessage* m) { m->mutable_hello(); })).ok()) << "no link to 3";
  EXPECT_FALSE(peer.Receive(2, "\xff\xff garbage").ok());
  EXPECT_FALSE(peer.Receive(2, "").ok()) << "no body";
  // A Hello claiming part of a change (1's insert takes counters 0..2).
  const std::string cutting = message([&](wire::PeerMessage* m) {
    wire::VersionEntry* e = m->mutable_hello()->mutable_version()->add_entries();
    wire::PeerMessage probe;
    ASSERT_TRUE(probe.ParseFromString(h.Queue(1, 2).front()));
    e->set_agent(probe.hello().version().entries(0).agent());
    e->set_next_counter(1);
  });
  EXPECT_FALSE(peer.Receive(2, cutting).ok());
  EXPECT_EQ(peer.DurableState(), before);
  EXPECT_EQ(peer.TakeOutbox().size(), 0u) << "nothing answered";
  // After a real Hello: a second Hello, an ack of changes never made, and
  // changes that refer to items nobody has are refused.
  ASSERT_TRUE(peer.Receive(2, message([](wire::PeerMessage* m) { m->mutable_hello(); })).ok());
  peer.TakeOutbox();
  const std::string synced = peer.DurableState();
  // The same Hello again at once is a proxy's duplicate: ignored.
  EXPECT_TRUE(peer.Receive(2, message([](wire::PeerMessage* m) { m->mutable_hello(); })).ok());
  EXPECT_EQ(peer.DurableState(), synced);
  EXPECT_EQ(peer.TakeOutbox().size(), 0u);
  // The same Hello with other bytes (an unknown field 15 after it) is a
  // second Hello, and refused.
  EXPECT_THAT(peer.Receive(2, message([](wire::PeerMessage* m) { m->mutable_hello(); }) + "\x78\x01").message(),
              ::testing::HasSubstr("second Hello"));
  EXPECT_FALSE(peer.Receive(2, message([](wire::PeerMessage* m) {
                  m->mutable_ack()->set_agent(12345);
                  m->mutable_ack()->set_next_counter(1);
                })).ok());
  EXPECT_FALSE(peer.Receive(2, message([](wire::PeerMessage* m) {
                  wire::Op* op = m->mutable_changes()->add_ops();
                  op->set_agent(7);
                  op->set_counter(0);
                  op->mutable_intent()->set_replica(2);
                  op->mutable_intent()->set_seq(1);
                  op->mutable_insert()->set_text("");
                })).ok());
  EXPECT_EQ(peer.DurableState(), synced);
  EXPECT_EQ(peer.TakeOutbox().size(), 0u);
  peer.CheckInvariants();
}

TEST(CrdtMesh, InconsistentStorageIsRefused) {
  MeshHarness h(Mesh(), 1);
  h.Type(1, 0, "abc");
  wire::PeerDurableState state;
  ASSERT_TRUE(state.ParseFromString(h.peer(1).DurableState()));
  EXPECT_TRUE(Mesh().RestoreClient(1, state.SerializeAsString(), {}).ok());
  EXPECT_FALSE(Mesh().RestoreClient(1, "\xff\xff", {}).ok());
  wire::PeerDurableState past = state;
  past.set_acked_next_counter(99);
  EXPECT_FALSE(Mesh().RestoreClient(1, past.SerializeAsString(), {}).ok());
  wire::PeerDurableState inside = state;
  inside.set_acked_next_counter(1);
  EXPECT_FALSE(Mesh().RestoreClient(1, inside.SerializeAsString(), {}).ok());
  wire::PeerDurableState cursor = state;
  cursor.set_cursor(4);
  EXPECT_FALSE(Mesh().RestoreClient(1, cursor.SerializeAsString(), {}).ok());
  wire::PeerDurableState repeated = state;
  *repeated.add_log() = state.log(0);
  EXPECT_FALSE(Mesh().RestoreClient(1, repeated.SerializeAsString(), {}).ok());
}

}  // namespace
}  // namespace collabsim::crdt

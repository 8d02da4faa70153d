// The Eg-walker mesh protocol driven by hand: events travel through a peer
// between two that never meet, first-hand acks, suppression of what a peer
// is known to hold, catch-up on connect as one transfer, restarts with and
// without storage, random delivery orders with drops and restarts against
// a merge of every event from the empty document, and malformed messages
// that must change nothing.
#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "egwalker_wire.pb.h"
#include "engines/common/probes.h"
#include "engines/egwalker/egwalker_engine.h"
#include "engines/egwalker/egwalker_peer.h"
#include "tests/engines/common/mesh_harness.h"
#include "tests/engines/common/relay_harness.h"

namespace collabsim::egwalker {
namespace {

using ::collabsim::testing::MeshHarness;
using ::collabsim::testing::ProbeCount;

const Engine& Mesh() { return EgwalkerMeshEngine(); }

wire::PeerMessage Parse(const std::string& bytes) {
  wire::PeerMessage message;
  EXPECT_TRUE(message.ParseFromString(bytes));
  return message;
}

TEST(EgwalkerMesh, EngineDeclaresTheMeshTopologyAndIsAVariant) {
  EXPECT_EQ(Mesh().traits().name, "egwalker-mesh");
  EXPECT_EQ(Mesh().traits().topology, Topology::kMesh);
  EXPECT_TRUE(Mesh().traits().variant);
  EXPECT_EQ(Mesh().traits().max_users, EgwalkerEngine().traits().max_users);
  EXPECT_NE(dynamic_cast<EgwalkerPeer*>(Mesh().CreateClient(1, {}).get()), nullptr);
}

TEST(EgwalkerMesh, EventsTravelThroughAPeerBetweenTwoThatAreNotLinked) {
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
}

TEST(EgwalkerMesh, ConcurrentWordsNeverInterleave) {
  MeshHarness h(Mesh(), 3);
  for (ReplicaId k = 1; k <= 3; ++k) {
    for (size_t i = 0; i < 3; ++i) h.Type(k, 0, std::string(1, "abcxyzpqr"[(k - 1) * 3 + 2 - i]));
  }
  h.LinkAll();
  h.DeliverAll();
  const std::string text = h.peer(1).GetView().text;
  ASSERT_EQ(text.size(), 9u);
  for (const std::string word : {"abc", "xyz", "pqr"}) EXPECT_NE(text.find(word), std::string::npos) << text;
  h.ExpectConverged(text);
  EXPECT_GT(ProbeCount(h.peer(1), probes::kConcurrentInsertSamePosition), 0u);
}

TEST(EgwalkerMesh, AFirstHandEventIsAcknowledgedAndAForwardedOneIsNot) {
  MeshHarness h(Mesh(), 3);
  h.Link(1, 2);
  h.Link(2, 3);
  h.DeliverAll();
  h.Type(1, 0, "a");
  EXPECT_EQ(h.peer(1).Stats().pending_intents, 1u);
  h.Deliver(1, 2);  // 2 merges, acks to 1, forwards to 3
  ASSERT_EQ(h.Queued(2, 1), 1u);
  EXPECT_TRUE(Parse(h.Queue(2, 1).front()).has_ack());
  ASSERT_EQ(h.Queued(2, 3), 1u);
  EXPECT_TRUE(Parse(h.Queue(2, 3).front()).has_events());
  h.Deliver(2, 3);
  EXPECT_EQ(h.Queued(3, 2), 0u) << "3 got the event second-hand and acknowledges nothing";
  h.Deliver(2, 1);
  EXPECT_EQ(h.peer(1).Stats().pending_intents, 0u);
  EXPECT_EQ(h.peer(3).Stats().pending_intents, 0u);
}

TEST(EgwalkerMesh, APeerIsNotSentWhatItIsKnownToHold) {
  MeshHarness h(Mesh(), 3);
  h.LinkAll();
  h.DeliverAll();
  h.Type(1, 0, "x");
  h.Deliver(1, 3);
  h.Deliver(3, 2);  // 3's ack goes to 1; its forward of "x" goes to 2
  EXPECT_EQ(h.Queued(2, 3), 0u);
  h.Deliver(1, 2);
  EXPECT_EQ(h.Queued(2, 3), 0u) << "2 knows 3 holds the event it got from 3";
  h.DeliverAll();
  h.ExpectConverged("x");
  EXPECT_EQ(ProbeCount(h.peer(2), probes::kDuplicateResendRecognised), 1u) << "1 and 3 each sent it once";
}

TEST(EgwalkerMesh, ALongAbsenceEndsInACatchUpFromEachNeighbour) {
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
  EXPECT_NE(text.find("offline "), std::string::npos) << text;
  h.ExpectConverged(text);
  EXPECT_EQ(ProbeCount(h.peer(3), probes::kCatchUpAfterLongOffline), 1u) << "only the first catch-up was new";
  EXPECT_EQ(ProbeCount(h.peer(3), probes::kOpRebasedAcrossReconnect), 1u);
  EXPECT_EQ(h.peer(3).Stats().pending_intents, 0u);
  EXPECT_GE(ProbeCount(h.peer(3), probes::kDuplicateResendRecognised), 120u) << "both neighbours sent the 120 events";
}

TEST(EgwalkerMesh, APeerThatIsAheadIsSentNothingOnReconnect) {
  MeshHarness h(Mesh(), 3);
  h.Link(1, 2);
  h.Link(2, 3);
  h.DeliverAll();
  h.Type(1, 0, "base ");
  h.DeliverAll();
  h.Unlink(1, 2);
  for (int k = 0; k < 50; ++k) h.Type(3, 5, "z");  // 2 learns these; 1 never sees them
  h.DeliverAll();
  h.Link(1, 2);
  h.Deliver(1, 2);  // Hellos both ways
  h.Deliver(2, 1);
  // 2 holds events 1 has never seen, and everything 1 has: its Hello says
  // so per agent, so 1's catch-up is empty.
  ASSERT_EQ(h.Queued(1, 2), 1u);
  const wire::PeerMessage catch_up = Parse(h.Queue(1, 2).front());
  ASSERT_TRUE(catch_up.has_catch_up());
  EXPECT_EQ(catch_up.catch_up().chunks(), 0u);
  h.DeliverAll();
  h.ExpectConverged("base " + std::string(50, 'z'));
  EXPECT_EQ(ProbeCount(h.peer(1), probes::kDuplicateResendRecognised), 0u);
}

TEST(EgwalkerMesh, CatchUpIsOneTransferInBoundedBatches) {
  MeshHarness h(Mesh(), 2);
  for (int k = 0; k < 600; ++k) h.Type(1, k % 2 == 0 ? 0 : h.peer(1).TextLength(), "c");
  h.Link(1, 2);
  h.Deliver(1, 2);  // Hello
  h.Deliver(2, 1);  // Hello: 1 answers with CatchUp and the batches
  const auto& queue = h.Queue(1, 2);
  ASSERT_GE(queue.size(), 3u);
  const wire::PeerMessage catch_up = Parse(queue.front());
  ASSERT_TRUE(catch_up.has_catch_up());
  EXPECT_EQ(catch_up.catch_up().chunks(), queue.size() - 1);
  for (size_t k = 1; k < queue.size(); ++k) {
    const wire::PeerMessage batch = Parse(queue[k]);
    ASSERT_TRUE(batch.has_events());
    EXPECT_LE(static_cast<size_t>(batch.events().runs_size()), kRunsPerMessage);
    EXPECT_EQ(batch.events().more(), k + 1 < queue.size()) << "all but the last say more follows";
  }
  // Nothing shows until the whole transfer is in.
  h.Deliver(1, 2);
  h.Deliver(1, 2);
  EXPECT_EQ(h.peer(2).GetView().text, "");
  h.DeliverAll();
  h.ExpectConverged(std::string(600, 'c'));
}

TEST(EgwalkerMesh, ADroppedLinkLosesNothingOnceItComesBack) {
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

TEST(EgwalkerMesh, RestartFromStorageKeepsTheEventsAndServesThem) {
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
  h.Link(2, 3);  // 3 has never met 1: it learns everything from the restored 2
  h.DeliverAll();
  EXPECT_EQ(h.peer(3).GetView().text, "kept both unsent");
  EXPECT_EQ(h.peer(1).GetView().text, "kept both");
  h.Link(1, 2);
  h.DeliverAll();
  h.ExpectConverged("kept both unsent");
  EXPECT_EQ(h.peer(2).Stats().pending_intents, 0u);
}

TEST(EgwalkerMesh, RestartWithoutStorageRelearnsFromPeersAndEditsAsANewAgent) {
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

// Random edits, links, drops and restarts on four peers, then every peer
// linked in a line and every message delivered: all converge, on the text
// a merge of all their events from the empty document gives.
TEST(EgwalkerMesh, RandomDeliveryOrdersDropsAndRestartsConverge) {
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    std::mt19937_64 random(seed);
    MeshHarness h(Mesh(), 4);
    for (int step = 0; step < 300; ++step) {
      const ReplicaId k = 1 + random() % 4;
      const uint64_t length = h.peer(k).TextLength();
      switch (random() % 10) {
        case 0: case 1: case 2: case 3:
          h.Type(k, random() % (length + 1), std::string(1 + random() % 3, static_cast<char>('a' + random() % 26)));
          break;
        case 4:
          if (length > 0) {
            const uint64_t at = random() % length;
            h.Erase(k, at, 1 + random() % std::min<uint64_t>(length - at, 2));
          }
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
    for (ReplicaId a = 1; a < 4; ++a) {
      if (!h.Linked(a, a + 1)) h.Link(a, a + 1);  // at least a line, so everyone is reachable
    }
    while (h.DeliverRandom(random)) {
    }
    const std::string text = h.peer(1).GetView().text;
    h.ExpectConverged(text);
    // The reference: every event of peer 1 merged from the empty document.
    wire::DurableState state;
    ASSERT_TRUE(state.ParseFromString(h.peer(1).DurableState()));
    absl::StatusOr<IntentDocument> stored = IntentDocument::Restore(state);
    ASSERT_TRUE(stored.ok()) << stored.status();
    EgwalkerDocument reference(EgwalkerDocument::MergeFrom::kRoot);
    ASSERT_TRUE(reference.Merge(stored->document().EventsSince({})).ok());
    EXPECT_EQ(reference.text().ToUtf8(), text);
    for (ReplicaId k = 1; k <= 4; ++k) EXPECT_EQ(h.peer(k).Stats().pending_intents, 0u) << "peer " << k;
    if (::testing::Test::HasFailure()) FAIL() << "seed " << seed;
  }
}

TEST(EgwalkerMesh, MalformedOrImpossibleMessagesChangeNothing) {
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
  // Before 2's Hello anything but Hello is refused; 3 is not linked.
  EXPECT_THAT(peer.Receive(2, message([](wire::PeerMessage* m) { m->mutable_catch_up()->set_chunks(1); })).message(),
              ::testing::HasSubstr("before its Hello"));
  EXPECT_THAT(peer.Receive(3, message([](wire::PeerMessage* m) { m->mutable_hello(); })).message(),
              ::testing::HasSubstr("not a connected peer"));
  EXPECT_FALSE(peer.Receive(2, "\xff\xff garbage").ok());
  EXPECT_THAT(peer.Receive(2, "").message(), ::testing::HasSubstr("no body"));
  EXPECT_EQ(peer.DurableState(), before);
  EXPECT_EQ(peer.TakeOutbox().size(), 0u) << "nothing answered";
  ASSERT_TRUE(peer.Receive(2, message([](wire::PeerMessage* m) { m->mutable_hello(); })).ok());
  EXPECT_EQ(peer.TakeOutbox().size(), 2u) << "CatchUp and one batch";
  const std::string synced = peer.DurableState();
  EXPECT_THAT(peer.Receive(2, message([](wire::PeerMessage* m) { m->mutable_hello(); }) + "\x78\x01").message(),
              ::testing::HasSubstr("second Hello"));
  // An ack of events never made, or past those made.
  EXPECT_THAT(peer.Receive(2, message([](wire::PeerMessage* m) {
                    m->mutable_ack()->set_agent(12345);
                    m->mutable_ack()->set_next_seq(1);
                  })).message(),
              ::testing::HasSubstr("past what peer 1 holds"));
  wire::DurableState state;
  ASSERT_TRUE(state.ParseFromString(synced));
  EXPECT_FALSE(peer.Receive(2, message([&](wire::PeerMessage* m) {
                      m->mutable_ack()->set_agent(state.agent());
                      m->mutable_ack()->set_next_seq(4);
                    })).ok());
  // Events whose parent nobody has, and an insert past the end.
  EXPECT_FALSE(peer.Receive(2, message([](wire::PeerMessage* m) {
                      wire::EventRun* run = m->mutable_events()->add_runs();
                      run->set_agent(7);
                      run->set_seq(0);
                      run->add_parents()->set_agent(99);
                      run->set_text("x");
                      run->set_intent_replica(2);
                      run->set_intent_seq(1);
                    })).ok());
  EXPECT_FALSE(peer.Receive(2, message([](wire::PeerMessage* m) {
                      wire::EventRun* run = m->mutable_events()->add_runs();
                      run->set_agent(7);
                      run->set_seq(0);
                      run->set_position(9);
                      run->set_text("x");
                      run->set_intent_replica(2);
                      run->set_intent_seq(2);
                    })).ok());
  // A second catch-up while one is announced.
  ASSERT_TRUE(peer.Receive(2, message([](wire::PeerMessage* m) { m->mutable_catch_up()->set_chunks(2); })).ok());
  EXPECT_THAT(peer.Receive(2, message([](wire::PeerMessage* m) { m->mutable_catch_up()->set_chunks(3); })).message(),
              ::testing::HasSubstr("second catch-up"));
  EXPECT_EQ(peer.DurableState(), synced);
  EXPECT_EQ(peer.TakeOutbox().size(), 0u);
  EXPECT_EQ(peer.GetView().text, "abc");
  peer.CheckInvariants();
}

TEST(EgwalkerMesh, AHelloClaimingMoreOfThisPeersEventsThanItMadeIsRefused) {
  MeshHarness h(Mesh(), 2);
  h.Type(1, 0, "abc");
  h.Link(1, 2);
  Replica& peer = h.peer(1);
  peer.TakeOutbox();
  wire::DurableState state;
  ASSERT_TRUE(state.ParseFromString(peer.DurableState()));
  wire::PeerMessage hello;
  wire::EventName* held = hello.mutable_hello()->add_held();
  held->set_agent(state.agent());
  held->set_seq(9);
  EXPECT_THAT(peer.Receive(2, hello.SerializeAsString()).message(),
              ::testing::HasSubstr("which peer 1 made only up to 3"));
  EXPECT_EQ(peer.TakeOutbox().size(), 0u);
  // The same Hello claiming what it made is answered, with nothing to send.
  held->set_seq(3);
  ASSERT_TRUE(peer.Receive(2, hello.SerializeAsString()).ok());
  const std::vector<OutgoingMessage> out = peer.TakeOutbox();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Parse(out[0].bytes).catch_up().chunks(), 0u);
}

TEST(EgwalkerMesh, InconsistentStorageIsRefused) {
  MeshHarness h(Mesh(), 1);
  h.Type(1, 0, "abc");
  wire::DurableState state;
  ASSERT_TRUE(state.ParseFromString(h.peer(1).DurableState()));
  EXPECT_TRUE(Mesh().RestoreClient(1, state.SerializeAsString(), {}).ok());
  EXPECT_FALSE(Mesh().RestoreClient(1, "\xff\xff", {}).ok());
  wire::DurableState past = state;
  past.set_acked_seq(99);
  EXPECT_FALSE(Mesh().RestoreClient(1, past.SerializeAsString(), {}).ok());
  wire::DurableState cursor = state;
  cursor.set_cursor(4);
  EXPECT_FALSE(Mesh().RestoreClient(1, cursor.SerializeAsString(), {}).ok());
  wire::DurableState text = state;
  text.set_text("abd");
  EXPECT_FALSE(Mesh().RestoreClient(1, text.SerializeAsString(), {}).ok());
  wire::DurableState stranger = state;
  stranger.set_agent(state.agent() + 1);
  EXPECT_FALSE(Mesh().RestoreClient(1, stranger.SerializeAsString(), {}).ok());
}

}  // namespace
}  // namespace collabsim::egwalker

// The Jupiter client/server protocol driven by hand: message order, drops
// and reconnects chosen by each test, so every path is hit on purpose.
#include <gtest/gtest.h>

#include "engines/common/probes.h"
#include "engines/ot/text_op_codec.h"
#include "ot_wire.pb.h"
#include "tests/engines/ot/ot_harness.h"

namespace collabsim::ot {
namespace {

TEST(OtProtocol, ConcurrentInsertsAtOnePositionFollowServerOrder) {
  Harness h(2);
  h.Type(1, 0, "A");
  h.Type(2, 0, "B");
  h.DeliverUp(2);  // the server sequences B first
  h.DeliverAll();
  h.ExpectConverged("BA");
}

// The client wraps the Submit it encoded once in its ClientMessage by hand;
// the bytes must be exactly what Protobuf itself would write.
TEST(OtProtocol, SubmitBytesAreProtobufsOwnEncoding) {
  Harness h(1);
  h.Type(1, 0, "abc \u00e9");
  ASSERT_EQ(h.QueuedUp(1), 1u);
  wire::ClientMessage message;
  ASSERT_TRUE(message.ParseFromString(h.PeekUp(1)));
  ASSERT_TRUE(message.has_submit());
  EXPECT_EQ(message.submit().client_seq(), 1u);
  EXPECT_EQ(message.SerializeAsString(), h.PeekUp(1));
}

TEST(OtProtocol, BufferComposesWhileAnOpIsInFlight) {
  Harness h(2);
  h.Type(1, 0, "one ");
  h.Type(1, 4, "two ");
  h.Type(1, 8, "three ");
  EXPECT_EQ(h.QueuedUp(1), 1u);  // only the first is in flight
  h.Type(2, 0, "zero ");
  h.DeliverAll();
  // "one " reached the server first, so it wins the tie at position 0; the
  // buffered words follow it, after "zero " (server ops win ties).
  h.ExpectConverged("one zero two three ");
  EXPECT_EQ(h.client(1).Stats().pending_intents, 0u);
}

TEST(OtProtocol, ThreeSitesConverge) {
  Harness h(3);
  h.Type(1, 0, "abc");
  h.DeliverAll();
  h.Erase(1, 1, 1);     // delete b
  h.Type(2, 2, "x");    // between b and c
  h.Type(3, 1, "y");    // before b
  h.DeliverUp(3);
  h.DeliverUp(1);
  h.DeliverUp(2);
  h.DeliverAll();
  h.ExpectConverged("ayxc");
}

TEST(OtProtocol, SubmitLostInTransitIsResentOnReconnect) {
  Harness h(2);
  h.Type(1, 0, "lost? ");
  h.Drop(1);  // the Submit never arrives
  h.Type(1, 6, "offline ");
  h.Type(2, 0, "other ");
  h.DeliverAll();
  h.Connect(1);
  h.DeliverAll();
  h.ExpectConverged("other lost? offline ");
}

TEST(OtProtocol, AckLostInTransitIsRecoveredFromCatchUpWithoutDuplicate) {
  Harness h(2);
  h.Type(1, 0, "once ");
  h.DeliverUp(1);  // applied by the server; the Ack is now queued down
  h.Drop(1);       // ... and lost
  h.Connect(1);
  h.DeliverAll();
  h.ExpectConverged("once ");
  EXPECT_EQ(h.server().head_revision(), 1u);
}

TEST(OtProtocol, ServerIgnoresAResentSubmitItAlreadyApplied) {
  Harness h(1);
  h.Type(1, 0, "x");
  const std::string submit = h.PeekUp(1);
  h.DeliverAll();
  // The same bytes again at once are a proxy's duplicate, dropped before
  // the engine sees them (Replica::Receive).
  ASSERT_TRUE(h.server().Receive(1, submit).ok());
  EXPECT_EQ(ProbeCount(h.server(), probes::kDuplicateResendRecognised), 0u);
  // Resent on a new connection (the client never saw the ack), the server
  // itself must recognise it.
  h.Drop(1);
  h.Connect(1);
  h.DeliverAll();
  ASSERT_TRUE(h.server().Receive(1, submit).ok());
  EXPECT_EQ(h.server().GetView().text, "x");
  EXPECT_EQ(h.server().head_revision(), 1u);
  EXPECT_EQ(ProbeCount(h.server(), probes::kDuplicateResendRecognised), 1u);
}

TEST(OtProtocol, ReconnectProbesCountRebaseAndLongCatchUp) {
  Harness h(2);
  h.Drop(1);
  h.Type(1, 0, "pending ");
  for (int k = 0; k < probes::kLongCatchUpOps; ++k) {
    h.Type(2, 0, "w ");
    h.DeliverAll();
  }
  EXPECT_TRUE(h.client(1).Stats().probes.empty());
  h.Connect(1);
  h.DeliverAll();
  const auto found = h.client(1).Stats().probes;
  EXPECT_EQ(found.at(std::string(probes::kOpRebasedAcrossReconnect)), 1u);
  EXPECT_EQ(found.at(std::string(probes::kCatchUpAfterLongOffline)), 1u);
  h.ExpectConverged(h.server().GetView().text);
}

TEST(OtProtocol, ServerCountsConcurrentInsertTies) {
  Harness h(2);
  h.Type(1, 0, "A");
  h.Type(2, 0, "B");
  h.DeliverAll();
  EXPECT_EQ(h.server().Stats().probes.at(std::string(probes::kConcurrentInsertSamePosition)), 1u);
}

TEST(OtProtocol, ManyDisconnectsLoseAndDuplicateNothing) {
  Harness h(3);
  std::string expected;
  for (int round = 0; round < 20; ++round) {
    const ReplicaId k = 1 + round % 3;
    const std::string word = "w" + std::to_string(round) + " ";
    h.Type(k, h.client(k).GetView().text.size(), word);
    if (round % 2 == 0) h.DeliverUp(k);
    if (round % 3 == 0) h.Drop(k), h.Connect(k);
    if (round % 5 == 0) h.DeliverAll();
  }
  h.DeliverAll();
  const std::string text = h.server().GetView().text;
  for (int round = 0; round < 20; ++round) {
    const std::string word = "w" + std::to_string(round) + " ";
    EXPECT_EQ(text.find(word), text.rfind(word)) << word << " duplicated";
    EXPECT_NE(text.find(word), std::string::npos) << word << " lost";
  }
  h.ExpectConverged(text);
}

TEST(OtProtocol, MalformedBytesLeaveTheServerUnchanged) {
  Harness h(1);
  h.Type(1, 0, "keep");
  h.DeliverAll();
  EXPECT_FALSE(h.server().Receive(1, "\xff\xff garbage").ok());
  wire::ClientMessage bad;
  bad.mutable_submit()->set_client_seq(99);
  bad.mutable_submit()->set_base_revision(7);  // beyond head
  EXPECT_FALSE(h.server().Receive(1, bad.SerializeAsString()).ok());
  bad.mutable_submit()->set_base_revision(1);
  bad.mutable_submit()->mutable_op()->add_components()->set_retain(10);  // wrong length
  EXPECT_FALSE(h.server().Receive(1, bad.SerializeAsString()).ok());
  bad.mutable_submit()->mutable_op()->mutable_components(0)->set_insert("\xc3");  // bad UTF-8
  EXPECT_FALSE(h.server().Receive(1, bad.SerializeAsString()).ok());
  EXPECT_EQ(h.server().GetView().text, "keep");
  EXPECT_EQ(h.server().head_revision(), 1u);
  h.server().CheckInvariants();
}

TEST(OtProtocol, ClientRejectsImpossibleBroadcastsAtomically) {
  Harness h(1);
  h.Type(1, 0, "abc");
  h.DeliverAll();
  OtClient& c = h.client(1);
  wire::ServerMessage gap;
  gap.mutable_broadcast()->set_revision(5);  // revision 2 expected
  gap.mutable_broadcast()->set_origin(2);
  gap.mutable_broadcast()->mutable_op()->add_components()->set_retain(3);
  EXPECT_FALSE(c.Receive(kServerReplica, gap.SerializeAsString()).ok());
  wire::ServerMessage wrong_length = gap;
  wrong_length.mutable_broadcast()->set_revision(2);
  wrong_length.mutable_broadcast()->mutable_op()->mutable_components(0)->set_retain(4);
  EXPECT_FALSE(c.Receive(kServerReplica, wrong_length.SerializeAsString()).ok());
  EXPECT_FALSE(c.Receive(7, "").ok());  // not from the server
  EXPECT_EQ(c.GetView().text, "abc");
  EXPECT_EQ(c.revision(), 1u);
  c.CheckInvariants();
}

TEST(OtProtocol, WelcomeWithOneBadEntryAppliesNone) {
  Harness h(2);
  h.Drop(2);
  h.Type(1, 0, "first ");
  h.DeliverAll();
  // A catch-up whose first entry is good and second is not.
  wire::ServerMessage welcome;
  welcome.mutable_welcome()->set_head_revision(2);
  wire::LogEntry* good = welcome.mutable_welcome()->add_catch_up();
  good->set_revision(1);
  good->set_origin(1);
  EncodeTextOp(MakeInsert(0, 0, U"first "), good->mutable_op());
  wire::LogEntry* bad = welcome.mutable_welcome()->add_catch_up();
  bad->set_revision(2);
  bad->set_origin(1);
  EncodeTextOp(MakeInsert(99, 0, U"x"), bad->mutable_op());
  OtClient& c = h.client(2);
  c.Connected(kServerReplica);
  c.TakeOutbox();
  EXPECT_FALSE(c.Receive(kServerReplica, welcome.SerializeAsString()).ok());
  EXPECT_EQ(c.GetView().text, "");
  EXPECT_EQ(c.revision(), 0u);
}

TEST(OtProtocol, InvalidLocalIntentsChangeNothing) {
  Harness h(1);
  OtClient& c = h.client(1);
  EXPECT_FALSE(c.ApplyLocal(Intent{IntentId{1, 1}, InsertText{1, "x"}}).ok());
  EXPECT_FALSE(c.ApplyLocal(Intent{IntentId{1, 2}, InsertText{0, "\xc3"}}).ok());
  EXPECT_FALSE(c.ApplyLocal(Intent{IntentId{1, 3}, DeleteText{0, 1}}).ok());
  EXPECT_FALSE(c.ApplyLocal(Intent{IntentId{2, 4}, InsertText{0, "x"}}).ok());
  EXPECT_FALSE(c.ApplyLocal(Intent{IntentId{1, 5}, MoveCursor{3}}).ok());
  EXPECT_EQ(c.GetView().text, "");
  EXPECT_TRUE(c.TakeOutbox().empty());
}

TEST(OtProtocol, RemoteIntentsAreReportedVisibleOnce) {
  Harness h(2);
  h.Type(1, 0, "a ");
  h.Type(1, 2, "b ");
  h.DeliverAll();
  const auto visible = h.client(2).TakeNewlyVisible();
  ASSERT_EQ(visible.size(), 2u);
  EXPECT_EQ(visible[0].replica, 1u);
  EXPECT_TRUE(h.client(1).TakeNewlyVisible().empty());
}

TEST(OtProtocol, CursorFollowsTextUnderIt) {
  Harness h(2);
  h.Type(1, 0, "hello world");
  h.DeliverAll();
  ASSERT_TRUE(h.client(2).ApplyLocal(Intent{IntentId{2, 100}, MoveCursor{6}}).ok());
  h.Type(1, 0, ">> ");
  h.DeliverAll();
  EXPECT_EQ(h.client(2).GetView().cursors.at(2), 9u);
}

TEST(OtProtocol, ClientRestartedWithoutStorageCatchesUpAndItsNewEditsApply) {
  Harness h(2);
  h.Type(1, 0, "before ");
  h.Type(1, 7, "crash ");
  h.DeliverAll();
  h.Type(1, 13, "unsent ");  // dies with the app
  h.Restart(1);
  h.Type(2, 0, "meanwhile ");
  h.DeliverAll();
  h.Connect(1);
  h.DeliverAll();
  EXPECT_EQ(h.client(1).GetView().text, "meanwhile before crash ");
  // Its old ops came back as remote ones; its new ones are numbered after
  // them, so the server applies them instead of taking them for resends.
  h.Type(1, 0, "after ");
  h.DeliverAll();
  h.ExpectConverged("after meanwhile before crash ");
  EXPECT_EQ(ProbeCount(h.server(), probes::kDuplicateResendRecognised), 0u);
}

TEST(OtProtocol, ClientRestartedFromStorageSendsItsPendingEditsOnce) {
  Harness h(2);
  h.Type(1, 0, "before ");
  h.DeliverAll();
  h.Type(1, 7, "inflight ");
  ASSERT_TRUE(h.DeliverUp(1));  // the server applies it; the ack is lost below
  h.Type(1, 16, "buffered ");
  h.RestartFromStorage(1);
  EXPECT_EQ(h.client(1).GetView().text, "before inflight buffered ");
  h.Type(2, 0, "meanwhile ");
  h.DeliverAll();
  h.Connect(1);
  h.DeliverAll();
  h.ExpectConverged("meanwhile before inflight buffered ");
  // The in-flight op came back in the catch-up and counted as its ack.
  EXPECT_EQ(h.server().head_revision(), 4u);
}

TEST(OtProtocol, InconsistentClientStorageIsRejected) {
  EXPECT_FALSE(OtClient::Restore(1, "\xff\xff", EngineOptions{}).ok());
  OtClient client(1, EngineOptions{});
  ASSERT_TRUE(client.ApplyLocal(Intent{IntentId{1, 1}, InsertText{0, "abc "}}).ok());
  wire::ClientDurableState stored;
  ASSERT_TRUE(stored.ParseFromString(client.DurableState()));
  ASSERT_TRUE(OtClient::Restore(1, stored.SerializeAsString(), EngineOptions{}).ok());
  stored.set_document("abcdef ");  // the buffer no longer ends at the document
  auto restored = OtClient::Restore(1, stored.SerializeAsString(), EngineOptions{});
  ASSERT_FALSE(restored.ok());
  EXPECT_NE(std::string(restored.status().message()).find("buffer does not end at the document"), std::string::npos);
  // Another user's intents in this client's storage are not its own edits.
  ASSERT_TRUE(stored.ParseFromString(client.DurableState()));
  stored.mutable_buffer()->mutable_intents(0)->set_replica(2);
  EXPECT_FALSE(OtClient::Restore(1, stored.SerializeAsString(), EngineOptions{}).ok());
}

TEST(OtProtocol, WelcomeClaimingOpsALiveClientNeverSentIsRejected) {
  Harness h(1);
  h.Type(1, 0, "x ");
  h.DeliverAll();
  wire::ServerMessage welcome;
  welcome.mutable_welcome()->set_head_revision(1);
  welcome.mutable_welcome()->set_last_client_seq(9);  // this client has sent 1
  h.client(1).Disconnected(kServerReplica);
  h.client(1).Connected(kServerReplica);
  EXPECT_FALSE(h.client(1).Receive(kServerReplica, welcome.SerializeAsString()).ok());
}

TEST(OtDurability, RestoredServerHasTheSameLogAndStillRecognisesResends) {
  Harness h(2);
  h.Type(1, 0, "alpha ");
  const std::string first_submit = h.PeekUp(1);
  h.Type(2, 0, "beta ");
  h.DeliverAll();
  auto restored = OtServer::Restore(h.server().DurableState(), EngineOptions{true});
  ASSERT_TRUE(restored.ok()) << restored.status();
  OtServer& server = **restored;
  EXPECT_EQ(server.GetView().text, h.server().GetView().text);
  EXPECT_EQ(server.head_revision(), 2u);
  server.CheckInvariants();
  EXPECT_EQ(server.TakeNewlyVisible().size(), 2u);  // it reports what it recovered
  // The restored server remembers client 1's sequence numbers.
  server.Connected(1);
  wire::ClientMessage hello;
  hello.mutable_hello()->set_known_revision(2);
  ASSERT_TRUE(server.Receive(1, hello.SerializeAsString()).ok());
  ASSERT_TRUE(server.Receive(1, first_submit).ok());
  EXPECT_EQ(server.head_revision(), 2u);
  EXPECT_EQ(ProbeCount(server, probes::kDuplicateResendRecognised), 1u);
}

TEST(OtDurability, MalformedDurableStateIsRejected) {
  Harness h(1);
  h.Type(1, 0, "abc ");
  h.Type(1, 4, "def ");
  h.DeliverAll();
  wire::ServerDurableState good;
  ASSERT_TRUE(good.ParseFromString(h.server().DurableState()));
  ASSERT_EQ(good.log_size(), 2);
  EXPECT_FALSE(OtServer::Restore("\xff\xff not a log", EngineOptions{}).ok());
  wire::ServerDurableState gap = good;
  gap.mutable_log(1)->set_revision(5);
  EXPECT_FALSE(OtServer::Restore(gap.SerializeAsString(), EngineOptions{}).ok());
  wire::ServerDurableState unchained = good;
  unchained.mutable_log()->SwapElements(0, 1);
  unchained.mutable_log(0)->set_revision(1);
  unchained.mutable_log(1)->set_revision(2);
  EXPECT_FALSE(OtServer::Restore(unchained.SerializeAsString(), EngineOptions{}).ok());
  wire::ServerDurableState repeated = good;
  repeated.mutable_log(1)->set_client_seq(good.log(0).client_seq());
  EXPECT_FALSE(OtServer::Restore(repeated.SerializeAsString(), EngineOptions{}).ok());
  EXPECT_TRUE(OtServer::Restore(good.SerializeAsString(), EngineOptions{}).ok());
}

}  // namespace
}  // namespace collabsim::ot

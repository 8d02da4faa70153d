// The LWW engine over hand-driven links: the server's arrival order decides
// conflicts, a client never flickers back to a value it has overwritten,
// a write made after seeing another beats it, reconnects and restarts
// apply every change exactly once, and malformed messages change nothing.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "engines/common/probes.h"
#include "engines/lww/lww_client.h"
#include "engines/lww/lww_engine.h"
#include "engines/lww/lww_server.h"
#include "lww_wire.pb.h"
#include "tests/engines/common/relay_harness.h"

namespace collabsim::lww {
namespace {

using testing::RelayHarness;

uint64_t Probe(const Replica& replica, std::string_view name) {
  const auto stats = replica.Stats();
  auto it = stats.probes.find(name);
  return it == stats.probes.end() ? 0 : it->second;
}

TEST(LwwProtocol, EditsInDifferentParagraphsBothSurvive) {
  RelayHarness h(LwwBlockEngine(), 2);
  h.Type(1, 0, "one\ntwo ");
  h.DeliverAll();
  h.Type(1, 0, "a ");  // paragraph 1
  h.Type(2, 4, "b ");  // paragraph 2, concurrently
  h.DeliverAll();
  h.ExpectConverged("a one\nb two ");
}

TEST(LwwProtocol, ConcurrentEditsToOneParagraphKeepTheLastToReachTheServer) {
  RelayHarness h(LwwBlockEngine(), 2);
  h.Type(1, 0, "x ");
  h.Type(2, 0, "y ");
  // User 2's change reaches the server first, user 1's second: user 1 wins.
  ASSERT_TRUE(h.DeliverUp(2));
  ASSERT_TRUE(h.DeliverUp(1));
  h.DeliverAll();
  h.ExpectConverged("x ");
  EXPECT_EQ(Probe(h.server(), probes::kConcurrentWriteOverwritten), 1u);
  EXPECT_EQ(Probe(h.server(), probes::kConcurrentInsertSamePosition), 1u);
}

TEST(LwwProtocol, NoFlickerWhileAnOwnWriteIsUnacknowledged) {
  RelayHarness h(LwwBlockEngine(), 2);
  h.Type(1, 0, "x ");
  h.Type(2, 0, "y ");
  ASSERT_TRUE(h.DeliverUp(1));  // the server applies x, then y: y wins
  ASSERT_TRUE(h.DeliverUp(2));
  // User 2 receives the broadcast of x before the ack of its own y: its
  // view keeps showing y, as it will once the ack arrives.
  ASSERT_TRUE(h.DeliverDown(2));
  EXPECT_EQ(h.client(2).GetView().text, "y ");
  h.DeliverAll();
  h.ExpectConverged("y ");
}

TEST(LwwProtocol, AWriteMadeAfterSeeingAnotherBeatsIt) {
  RelayHarness h(LwwBlockEngine(), 2);
  h.Type(1, 0, "first ");
  h.DeliverAll();
  ASSERT_EQ(h.client(2).GetView().text, "first ");
  h.Type(2, 6, "second ");  // made having seen "first "
  h.DeliverAll();
  h.ExpectConverged("first second ");
}

TEST(LwwProtocol, ReconnectResendsOnlyWhatTheServerLacks) {
  RelayHarness h(LwwBlockEngine(), 2);
  h.Type(1, 0, "a ");
  ASSERT_TRUE(h.DeliverUp(1));  // applied; the ack is lost with the connection
  h.Type(1, 2, "b ");           // sent, lost in transit
  h.Drop(1);
  h.Type(1, 4, "c ");  // offline
  h.Connect(1);
  h.DeliverAll();
  h.ExpectConverged("a b c ");
  auto* server = dynamic_cast<LwwServer*>(&h.server());
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->revision(), 3u);  // each change applied once
}

TEST(LwwProtocol, RestartWithoutStorageNumbersAfterWhatTheServerHas) {
  RelayHarness h(LwwBlockEngine(), 2);
  h.Type(1, 0, "a ");
  h.Type(1, 2, "b ");
  h.DeliverAll();
  h.Restart(1);
  h.Connect(1);
  h.DeliverAll();
  h.Type(1, 4, "c ");
  h.DeliverAll();
  h.ExpectConverged("a b c ");
}

TEST(LwwProtocol, RestartFromStorageKeepsPendingChanges) {
  RelayHarness h(LwwBlockEngine(), 2);
  h.Type(1, 0, "a ");
  h.DeliverAll();
  h.Drop(1);
  h.Type(1, 2, "offline\nwork ");
  h.RestartFromStorage(1);
  EXPECT_EQ(h.client(1).GetView().text, "a offline\nwork ");
  h.Connect(1);
  h.DeliverAll();
  h.ExpectConverged("a offline\nwork ");
}

TEST(LwwProtocol, ServerRestartKeepsEveryAppliedChange) {
  RelayHarness h(LwwBlockEngine(), 3);
  h.Type(1, 0, "one\n");
  h.DeliverAll();
  h.Type(2, 4, "two ");
  h.DeliverAll();
  (void)h.server().TakeNewlyVisible();
  h.RestartServer();
  const std::vector<IntentId> held = h.server().TakeNewlyVisible();
  EXPECT_EQ(held.size(), 2u);
  for (ReplicaId k = 1; k <= 3; ++k) h.Connect(k);
  h.Type(3, 0, "zero ");
  h.DeliverAll();
  h.ExpectConverged("zero one\ntwo ");
}

TEST(LwwProtocol, MalformedMessagesChangeNothing) {
  RelayHarness h(LwwBlockEngine(), 1);
  h.Type(1, 0, "keep ");
  h.DeliverAll();
  const std::string before = h.server().DurableState();
  EXPECT_FALSE(h.server().Receive(1, "\xff\xff").ok());
  // A batch whose second change is invalid: the first is not applied either.
  wire::ClientMessage message;
  wire::Change* good = message.mutable_submit()->add_changes();
  good->set_client_seq(2);
  wire::Write* write = good->add_writes();
  write->set_object("0");
  write->set_property("text");
  write->mutable_value()->set_text("changed ");
  wire::Change* bad = message.mutable_submit()->add_changes();
  *bad = *good;
  bad->set_client_seq(3);
  bad->mutable_writes(0)->set_property("deleted");
  bad->mutable_writes(0)->mutable_value()->set_flag(true);
  const absl::Status status = h.server().Receive(1, message.SerializeAsString());
  EXPECT_EQ(status.message(), "client 1 change 3: write to 0.deleted: the first block is never deleted");
  // A gap in client_seq is refused too.
  message.mutable_submit()->mutable_changes()->RemoveLast();
  message.mutable_submit()->mutable_changes(0)->set_client_seq(5);
  EXPECT_FALSE(h.server().Receive(1, message.SerializeAsString()).ok());
  EXPECT_EQ(h.server().DurableState(), before);
  // The client refuses a broadcast out of order.
  wire::ServerMessage broadcast;
  broadcast.mutable_broadcast()->set_revision(9);
  broadcast.mutable_broadcast()->set_origin(2);
  *broadcast.mutable_broadcast()->mutable_change() = *good;
  const std::string client_before = h.client(1).DurableState();
  EXPECT_EQ(h.client(1).Receive(kServerReplica, broadcast.SerializeAsString()).message(),
            "broadcast of revision 9; expected 2");
  EXPECT_EQ(h.client(1).DurableState(), client_before);
  h.ExpectConverged("keep ");
}

TEST(LwwProtocol, DocumentGranularityLosesEditsInOtherParagraphsToo) {
  RelayHarness h(LwwDocumentEngine(), 2);
  h.Type(1, 0, "one\ntwo ");
  h.DeliverAll();
  h.Type(1, 0, "a ");
  h.Type(2, 4, "b ");
  h.DeliverAll();
  h.ExpectConverged("one\nb two ");  // user 2's whole-text write reached the server last
}

TEST(LwwProtocol, MessagesDescribeThemselves) {
  RelayHarness h(LwwBlockEngine(), 1);
  h.Type(1, 0, "hi\n");
  ASSERT_EQ(h.QueuedUp(1), 1u);
  const std::string text = LwwBlockEngine().DescribeMessage(1, h.PeekUp(1));
  EXPECT_NE(text.find("Submit #1 on r0 (insert at 0:0) [0.text=\"hi\""), std::string::npos) << text;
  h.DeliverAll();
  EXPECT_EQ(LwwBlockEngine().DescribeMessage(0, "\x01"), "undecodable server message (1 bytes)");
}

}  // namespace
}  // namespace collabsim::lww

namespace collabsim::lww {
namespace {

// Object intents straight into a harness client (seqs from 1000 up, clear
// of the harness's own text intents).
void Act(RelayHarness& h, ReplicaId k, IntentBody body) {
  static uint64_t seq = 1000;
  const absl::Status status = h.client(k).ApplyLocal(Intent{IntentId{k, ++seq}, std::move(body)});
  ASSERT_TRUE(status.ok()) << status;
  h.Flush();
}

PropertyValue Prop(const Replica& replica, const std::string& object, const std::string& property) {
  const View view = replica.GetView();
  auto it = view.properties.find(PropertyKey{object, property});
  return it == view.properties.end() ? PropertyValue{} : it->second;
}

TEST(LwwCanvas, CrossMovesOfTwoFramesLeaveNoCycle) {
  RelayHarness h(LwwBlockEngine(), 2);
  Act(h, 1, CreateObject{"f1", "root"});
  Act(h, 1, CreateObject{"f2", "root"});
  h.DeliverAll();
  Act(h, 1, MoveObject{"f1", "f2", ""});  // each valid in its own view
  Act(h, 2, MoveObject{"f2", "f1", ""});
  ASSERT_TRUE(h.DeliverUp(1));  // f1 into f2 is applied
  ASSERT_TRUE(h.DeliverUp(2));  // f2 into f1 would close a cycle: refused
  EXPECT_EQ(std::get<std::string>(Prop(h.client(2), "f2", "parent")), "f1");  // until the answer comes
  h.DeliverAll();
  h.ExpectConverged("");
  EXPECT_EQ(std::get<std::string>(Prop(h.server(), "f1", "parent")), "f2");
  EXPECT_EQ(std::get<std::string>(Prop(h.client(2), "f2", "parent")), "root");
  const auto stats = h.server().Stats();
  EXPECT_EQ(stats.probes.at(std::string(probes::kMoveRejected)), 1u);
  for (ReplicaId k : {1u, 2u}) EXPECT_EQ(h.client(k).GetView().properties, h.server().GetView().properties);
}

TEST(LwwCanvas, ConcurrentPropertyWritesKeepTheLastToArrive) {
  RelayHarness h(LwwBlockEngine(), 2);
  Act(h, 1, CreateObject{"s", "root"});
  h.DeliverAll();
  Act(h, 1, SetProperty{"s", "fill", std::string("red")});
  Act(h, 2, SetProperty{"s", "fill", std::string("blue")});
  ASSERT_TRUE(h.DeliverUp(2));
  ASSERT_TRUE(h.DeliverUp(1));
  h.DeliverAll();
  EXPECT_EQ(std::get<std::string>(Prop(h.server(), "s", "fill")), "red");
  EXPECT_EQ(h.client(2).GetView().properties, h.server().GetView().properties);
}

TEST(LwwCanvas, CreatingUnderAConcurrentlyDeletedFrameIsRefused) {
  RelayHarness h(LwwBlockEngine(), 2);
  Act(h, 1, CreateObject{"f", "root"});
  h.DeliverAll();
  Act(h, 1, DeleteObject{"f"});
  Act(h, 2, CreateObject{"s", "f"});
  ASSERT_TRUE(h.DeliverUp(1));
  h.DeliverAll();
  EXPECT_TRUE(h.server().GetView().properties.empty());
  EXPECT_TRUE(h.client(2).GetView().properties.empty());
}

// A write made after seeing another: with server order it wins; with the
// writers' clocks (client 1 half a second ahead) it loses.
PropertyValue SeenThenOverwritten(const Engine& engine) {
  RelayHarness h(engine, 2);
  h.client(1).SetLocalTime(1'500'000'000);
  h.client(2).SetLocalTime(1'000'000'000);
  Act(h, 1, CreateObject{"s", "root"});
  Act(h, 1, SetProperty{"s", "fill", std::string("first")});
  h.DeliverAll();
  EXPECT_EQ(std::get<std::string>(Prop(h.client(2), "s", "fill")), "first");
  h.client(2).SetLocalTime(1'200'000'000);  // later for user 2, still behind user 1's clock
  Act(h, 2, SetProperty{"s", "fill", std::string("second")});
  h.DeliverAll();
  EXPECT_EQ(h.client(1).GetView().properties, h.server().GetView().properties);
  EXPECT_EQ(h.client(2).GetView().properties, h.server().GetView().properties);
  return Prop(h.server(), "s", "fill");
}

TEST(LwwCanvas, ServerOrderKeepsAWriteMadeAfterSeeingAnother) {
  EXPECT_EQ(std::get<std::string>(SeenThenOverwritten(LwwBlockEngine())), "second");
}

TEST(LwwCanvas, WallclockOrderLosesItWhenTheClockIsBehind) {
  EXPECT_EQ(std::get<std::string>(SeenThenOverwritten(LwwWallclockEngine())), "first");
}

TEST(LwwCanvas, ClientsTakeObjectIntentsBeforeTheyConnect) {
  const absl::Status status =
      LwwBlockEngine().CreateClient(1, {})->ApplyLocal(Intent{IntentId{1, 1}, CreateObject{"ok", "root"}});
  EXPECT_TRUE(status.ok());
}

}  // namespace
}  // namespace collabsim::lww

namespace collabsim::lww {
namespace {

// Whatever arrives on the wire, a replica either takes it or refuses it and
// stays exactly as it was; it never crashes.
RC_GTEST_PROP(LwwWire, RandomBytesAreTakenOrRefusedWithoutAPartialChange, (const std::string& bytes)) {
  RelayHarness h(LwwBlockEngine(), 1);
  h.Type(1, 0, "one\ntwo ");
  h.DeliverAll();
  const std::string server_before = h.server().DurableState();
  if (!h.server().Receive(1, bytes).ok()) RC_ASSERT(h.server().DurableState() == server_before);
  const std::string client_before = h.client(1).DurableState();
  if (!h.client(1).Receive(kServerReplica, bytes).ok()) RC_ASSERT(h.client(1).DurableState() == client_before);
}

RC_GTEST_PROP(LwwWire, CorruptedRealMessagesAreTakenOrRefusedWithoutAPartialChange, ()) {
  RelayHarness h(LwwBlockEngine(), 2);
  h.Type(1, 0, "one\ntwo ");
  h.DeliverAll();
  h.Type(1, 4, "x\ny ");  // a split: a Submit with three writes
  ASSERT_EQ(h.QueuedUp(1), 1u);
  std::string submit = h.PeekUp(1);
  h.DeliverAll();
  std::string broadcast = submit;  // replaced below by what user 2 received
  h.Type(1, 0, "z ");
  ASSERT_TRUE(h.DeliverUp(1));
  ASSERT_EQ(h.QueuedDown(2), 1u);
  broadcast = h.PeekDown(2);
  h.DiscardDown(2);
  h.DeliverAll();
  for (std::string* message : {&submit, &broadcast}) {
    const size_t at = *rc::gen::inRange<size_t>(0, message->size());
    (*message)[at] = static_cast<char>(*rc::gen::arbitrary<uint8_t>());
  }
  const std::string server_before = h.server().DurableState();
  if (!h.server().Receive(1, submit).ok()) RC_ASSERT(h.server().DurableState() == server_before);
  const std::string client_before = h.client(2).DurableState();
  if (!h.client(2).Receive(kServerReplica, broadcast).ok()) RC_ASSERT(h.client(2).DurableState() == client_before);
}

}  // namespace
}  // namespace collabsim::lww

// The CRDT relay protocol driven by hand: offline edits, catch-up in chunks,
// lost acks, out-of-order delivery, restarts with and without storage, a
// server restart, and malformed messages that must change nothing.
#include <gtest/gtest.h>

#include "crdt_wire.pb.h"
#include "engines/common/probes.h"
#include "engines/crdt/causal_doc.h"
#include "engines/crdt/crdt_engine.h"
#include "tests/engines/common/relay_harness.h"

namespace collabsim::crdt {
namespace {

using ::collabsim::testing::RelayHarness;
using ::collabsim::testing::ProbeCount;

// Both users type a word at the start of an empty document while apart, one
// character at a time, forwards or backwards; returns the merged text.
std::string MergeConcurrentWords(const Engine& engine, bool backwards) {
  RelayHarness h(engine, 2);
  h.Drop(1);
  h.Drop(2);
  const std::string words[2] = {"abc", "xyz"};
  for (ReplicaId k = 1; k <= 2; ++k) {
    for (size_t i = 0; i < 3; ++i) {
      const size_t at = backwards ? 2 - i : i;
      h.Type(k, backwards ? 0 : i, words[k - 1].substr(at, 1));
    }
  }
  h.Connect(1);
  h.Connect(2);
  h.DeliverAll();
  const std::string text = h.server().GetView().text;
  h.ExpectConverged(text);
  return text;
}

TEST(CrdtProtocol, FugueMaxKeepsConcurrentWordsWhole) {
  for (bool backwards : {false, true}) {
    const std::string text = MergeConcurrentWords(FugueMaxEngine(), backwards);
    EXPECT_TRUE(text == "abcxyz" || text == "xyzabc") << text << (backwards ? " (backwards)" : " (forwards)");
  }
}

TEST(CrdtProtocol, RgaInterleavesWordsTypedBackwards) {
  const std::string forwards = MergeConcurrentWords(RgaEngine(), false);
  EXPECT_TRUE(forwards == "abcxyz" || forwards == "xyzabc") << forwards;
  const std::string backwards = MergeConcurrentWords(RgaEngine(), true);
  EXPECT_EQ(backwards.size(), 6u);
  EXPECT_TRUE(backwards != "abcxyz" && backwards != "xyzabc") << backwards;
}

TEST(CrdtProtocol, OfflineEditsOnAllSidesMergeOnReconnect) {
  RelayHarness h(FugueMaxEngine(), 3);
  h.Type(1, 0, "shared line");
  h.DeliverAll();
  h.Drop(2);
  h.Drop(3);
  h.Type(1, 0, "A: ");
  h.Type(2, 11, " B");
  h.Erase(3, 0, 7);  // "line"
  h.Type(3, 4, "!");
  h.DeliverAll();
  h.Connect(2);
  h.Connect(3);
  h.DeliverAll();
  h.ExpectConverged("A: line B!");
  EXPECT_EQ(h.client(2).Stats().pending_intents, 0u);
  EXPECT_EQ(ProbeCount(h.client(2), probes::kOpRebasedAcrossReconnect), 1u);
  EXPECT_EQ(ProbeCount(h.client(3), probes::kOpRebasedAcrossReconnect), 1u);
}

TEST(CrdtProtocol, CatchUpArrivesInBoundedChunks) {
  RelayHarness h(FugueMaxEngine(), 2);
  h.Drop(2);
  for (uint64_t k = 0; k < 600; ++k) h.Type(1, k, "x");
  h.DeliverAll();
  h.Connect(2);
  ASSERT_TRUE(h.DeliverUp(2));  // Hello
  ASSERT_EQ(h.QueuedDown(2), 4u);
  wire::ServerMessage welcome;
  ASSERT_TRUE(welcome.ParseFromString(h.PeekDown(2)));
  EXPECT_EQ(welcome.welcome().chunks(), 3u);
  h.DiscardDown(2);
  h.RestartFromStorage(2);  // not needed for the count; proves a half-synced client restores
  h.Connect(2);
  ASSERT_TRUE(h.DeliverUp(2));
  ASSERT_TRUE(h.DeliverDown(2));  // Welcome
  std::vector<int> sizes;
  while (h.QueuedDown(2) > 0) {
    wire::ServerMessage chunk;
    ASSERT_TRUE(chunk.ParseFromString(h.PeekDown(2)));
    sizes.push_back(chunk.chunk().ops_size());
    ASSERT_TRUE(h.DeliverDown(2));
  }
  EXPECT_EQ(sizes, (std::vector<int>{256, 256, 88}));
  h.ExpectConverged(std::string(600, 'x'));
  EXPECT_EQ(ProbeCount(h.client(2), probes::kCatchUpAfterLongOffline), 1u);
}

TEST(CrdtProtocol, ARepeatedPushIsRecognisedAndAppliedOnce) {
  RelayHarness h(FugueMaxEngine(), 2);
  h.Type(1, 0, "once");
  const std::string push = h.PeekUp(1);
  h.DeliverAll();
  // The same bytes again at once are a proxy's duplicate, dropped before
  // the engine sees them; on a new connection the relay must recognise them.
  ASSERT_TRUE(h.server().Receive(1, push).ok());
  EXPECT_EQ(ProbeCount(h.server(), probes::kDuplicateResendRecognised), 0u);
  h.Drop(1);
  h.Connect(1);
  h.DeliverAll();
  ASSERT_TRUE(h.server().Receive(1, push).ok());
  h.DeliverAll();
  h.ExpectConverged("once");
  EXPECT_EQ(ProbeCount(h.server(), probes::kDuplicateResendRecognised), 1u);
}

TEST(CrdtProtocol, LostAckMeansTheWelcomeSettlesIt) {
  RelayHarness h(FugueMaxEngine(), 2);
  h.Type(1, 0, "kept");
  ASSERT_TRUE(h.DeliverUp(1));
  h.Drop(1);  // the ack dies on the way
  EXPECT_EQ(h.client(1).Stats().pending_intents, 1u);
  h.Connect(1);
  h.DeliverAll();
  EXPECT_EQ(h.client(1).Stats().pending_intents, 0u);
  h.ExpectConverged("kept");
}

TEST(CrdtProtocol, ChangesWaitForTheirDependencies) {
  RelayHarness h(FugueMaxEngine(), 2);
  h.Type(1, 0, "a");
  h.Type(1, 1, "b");
  const std::string first = h.PeekUp(1);
  h.DiscardUp(1);
  const std::string second = h.PeekUp(1);
  h.DiscardUp(1);
  ASSERT_TRUE(h.server().Receive(1, second).ok());
  EXPECT_EQ(h.server().GetView().text, "");
  EXPECT_GT(h.server().Stats().memory.buffered_bytes, 0u);  // the buffered change is counted
  ASSERT_TRUE(h.server().Receive(1, second).ok());           // a duplicate is not buffered twice
  const uint64_t buffered = h.server().Stats().memory.buffered_bytes;
  EXPECT_EQ(h.server().Stats().memory.buffered_bytes, buffered);
  ASSERT_TRUE(h.server().Receive(1, first).ok());
  EXPECT_EQ(h.server().Stats().memory.buffered_bytes, 0u);  // both applied
  h.DeliverAll();
  h.ExpectConverged("ab");
}

TEST(CrdtProtocol, RestartWithoutStorageEditsUnderANewAgent) {
  RelayHarness h(FugueMaxEngine(), 2);
  h.Type(1, 0, "hello");
  h.DeliverAll();
  h.Type(1, 5, " lost");  // never sent
  h.Restart(1);
  h.Type(1, 0, "X");  // before it knows anything: counters restart, the agent must not
  h.Connect(1);
  h.DeliverAll();
  h.ExpectConverged("helloX");
}

TEST(CrdtProtocol, RestartFromStorageSendsPendingChangesOnce) {
  RelayHarness h(FugueMaxEngine(), 2);
  h.Type(1, 0, "base");
  h.DeliverAll();
  h.Drop(1);
  h.Type(1, 4, " offline");
  h.Erase(1, 0, 1);
  h.RestartFromStorage(1);
  EXPECT_EQ(h.client(1).Stats().pending_intents, 2u);
  EXPECT_EQ(h.client(1).OwnCursor(), 0u);
  h.Connect(1);
  h.DeliverAll();
  h.ExpectConverged("ase offline");
}

TEST(CrdtProtocol, ServerRestartReplaysItsLog) {
  RelayHarness h(FugueMaxEngine(), 2);
  h.Type(1, 0, "durable");
  h.Type(2, 0, "very ");
  h.DeliverAll();
  h.Erase(1, 0, 5);
  h.DeliverAll();
  const std::string before = h.server().GetView().text;
  h.RestartServer();
  EXPECT_EQ(h.server().GetView().text, before);
  EXPECT_EQ(h.server().TakeNewlyVisible().size(), 3u);  // every intent it holds, for the durability check
  h.Connect(1);
  h.Connect(2);
  h.Type(2, 0, "!");
  h.DeliverAll();
  h.ExpectConverged("!" + before);
}

// Bytes of a Push carrying `op` from client 1.
std::string PushOf(const wire::Op& op) {
  wire::ClientMessage message;
  *message.mutable_push()->add_ops() = op;
  return message.SerializeAsString();
}

TEST(CrdtProtocol, MalformedOrImpossibleMessagesChangeNothing) {
  RelayHarness h(FugueMaxEngine(), 2);
  h.Type(1, 0, "abc");
  h.DeliverAll();
  wire::ClientMessage valid;
  ASSERT_TRUE(valid.ParseFromString([&] {
    h.Type(1, 3, "d");
    const std::string bytes = h.PeekUp(1);
    h.DiscardUp(1);
    return bytes;
  }()));
  const wire::Op good = valid.push().ops(0);
  const std::string server_before = h.server().DurableState();

  std::vector<std::pair<std::string, std::string>> bad = {{"garbage", "\xff\xff\xff"}, {"no body", ""}};
  wire::Op overlap = good;
  overlap.set_counter(good.counter() - 1);  // straddles the held "c"
  bad.emplace_back("partial overlap", PushOf(overlap));
  wire::Op self = good;
  self.mutable_insert()->mutable_origin_left()->set_agent(good.agent());
  self.mutable_insert()->mutable_origin_left()->set_counter(good.counter());
  bad.emplace_back("own origin", PushOf(self));
  wire::Op empty = good;
  empty.mutable_insert()->set_text("");
  bad.emplace_back("empty insert", PushOf(empty));
  wire::Op utf8 = good;
  utf8.mutable_insert()->set_text("\xc3");
  bad.emplace_back("bad UTF-8", PushOf(utf8));
  wire::Op nothing = good;
  nothing.mutable_delete_();
  bad.emplace_back("delete of nothing", PushOf(nothing));
  wire::ClientMessage two;  // a good op followed by a bad one: neither applies
  *two.mutable_push()->add_ops() = good;
  *two.mutable_push()->add_ops() = empty;
  bad.emplace_back("good then bad", two.SerializeAsString());
  wire::ClientMessage flood;  // more changes with a gap before them than the buffer holds
  for (uint64_t k = 0; k <= CausalDoc::kMaxBuffered; ++k) {
    wire::Op ahead = good;
    ahead.set_counter(good.counter() + 10 + k);
    *flood.mutable_push()->add_ops() = ahead;
  }
  bad.emplace_back("buffer overflow", flood.SerializeAsString());
  for (const auto& [name, bytes] : bad) {
    const absl::Status refused = h.server().Receive(1, bytes);
    EXPECT_FALSE(refused.ok()) << name;
    if (name == "buffer overflow") {
      EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted) << refused;
    }
    EXPECT_EQ(h.server().DurableState(), server_before) << name;
    EXPECT_TRUE(h.server().TakeOutbox().empty()) << name;
  }
  h.Drop(2);
  EXPECT_FALSE(h.server().Receive(2, PushOf(good)).ok()) << "push before Hello";

  const std::string client_before = h.client(2).DurableState();
  wire::ServerMessage chunk;
  *chunk.mutable_chunk()->add_ops() = good;
  EXPECT_FALSE(h.client(2).Receive(kServerReplica, chunk.SerializeAsString()).ok()) << "chunk before Welcome";
  wire::ServerMessage ack;
  ack.mutable_ack()->set_agent(12345);
  ack.mutable_ack()->set_next_counter(1);
  EXPECT_FALSE(h.client(2).Receive(kServerReplica, ack.SerializeAsString()).ok()) << "ack of a stranger";
  EXPECT_FALSE(h.client(2).Receive(kServerReplica, "\x0a\x05").ok()) << "truncated";
  EXPECT_EQ(h.client(2).DurableState(), client_before);
}

TEST(CrdtProtocol, InconsistentLocalStorageIsRefused) {
  RelayHarness h(FugueMaxEngine(), 1);
  h.Type(1, 0, "ab");
  h.Drop(1);
  h.Type(1, 2, "c");
  wire::ClientDurableState state;
  ASSERT_TRUE(state.ParseFromString(h.client(1).DurableState()));
  ASSERT_EQ(state.pending_size(), 2);

  wire::ClientDurableState swapped = state;
  swapped.mutable_pending()->SwapElements(0, 1);
  wire::ClientDurableState cursor_past_end = state;
  cursor_past_end.set_cursor(99);
  wire::ClientDurableState missing_origin = state;
  wire::SequenceSnapshot* document = missing_origin.mutable_document();
  ASSERT_EQ(document->origin_counter_size(), 0);
  document->set_flags(0, document->flags(0) | 3u);  // an explicit origin_left that is not there
  document->add_origin_agent(0);
  document->add_origin_counter(777);
  wire::ClientDurableState counter_mismatch = state;
  counter_mismatch.set_next_counter(state.next_counter() + 5);
  for (const auto& [name, bad] : std::vector<std::pair<std::string, wire::ClientDurableState>>{
           {"pending out of order", swapped},
           {"cursor past end", cursor_past_end},
           {"missing origin", missing_origin},
           {"counter mismatch", counter_mismatch}}) {
    EXPECT_FALSE(FugueMaxEngine().RestoreClient(1, bad.SerializeAsString(), EngineOptions{true}).ok()) << name;
  }
  EXPECT_TRUE(FugueMaxEngine().RestoreClient(1, state.SerializeAsString(), EngineOptions{true}).ok());
  EXPECT_FALSE(FugueMaxEngine().RestoreServer("\xff", EngineOptions{true}).ok());
}

}  // namespace
}  // namespace collabsim::crdt

// The Eg-walker relay protocol driven by hand: concurrent words kept whole,
// offline edits on every side, long transfers merged once, restarts with and
// without storage, a relay restart, carets placed across concurrent edits,
// and malformed messages that must change nothing.
#include <gtest/gtest.h>

#include "egwalker_wire.pb.h"
#include "engines/common/probes.h"
#include "engines/egwalker/egwalker_engine.h"
#include "engines/egwalker/intent_document.h"
#include "tests/engines/common/relay_harness.h"

namespace collabsim::egwalker {
namespace {

using ::collabsim::testing::RelayHarness;
using ::collabsim::testing::ProbeCount;

TEST(EgwalkerProtocol, ConcurrentWordsStayWholeForwardsAndBackwards) {
  for (bool backwards : {false, true}) {
    RelayHarness h(EgwalkerEngine(), 2);
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
    EXPECT_TRUE(text == "abcxyz" || text == "xyzabc") << text << (backwards ? " (backwards)" : " (forwards)");
    h.ExpectConverged(text);
    EXPECT_GT(ProbeCount(h.server(), probes::kConcurrentInsertSamePosition), 0u);
  }
}

TEST(EgwalkerProtocol, OfflineEditsOnAllSidesMergeOnReconnect) {
  RelayHarness h(EgwalkerEngine(), 3);
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

TEST(EgwalkerProtocol, ALongOfflineSessionArrivesInBatchesAndMergesOnce) {
  RelayHarness h(EgwalkerEngine(), 2);
  h.Type(1, 0, "start");
  h.DeliverAll();
  h.Drop(1);
  std::string expected = "start";
  for (size_t k = 0; k < kRunsPerMessage + 40; ++k) {
    h.Type(1, expected.size(), k % 2 == 0 ? "x" : "y");  // one intent each
    expected += k % 2 == 0 ? "x" : "y";
  }
  h.Type(2, 0, ">");
  h.DeliverAll();
  h.Connect(1);
  ASSERT_GE(h.QueuedUp(1), 1u);
  h.DeliverAll();
  h.ExpectConverged(">" + expected);
  EXPECT_EQ(ProbeCount(h.client(1), probes::kOpRebasedAcrossReconnect), 1u);
  // Client 2 took the relay's forward of the session: more than one batch,
  // the first marked `more`.
  h.Type(2, 0, "<");
  h.Drop(2);
  h.Connect(2);
  h.DeliverAll();
  h.ExpectConverged("<>" + expected);
}

TEST(EgwalkerProtocol, RestartWithoutStorageEditsUnderANewAgent) {
  RelayHarness h(EgwalkerEngine(), 2);
  h.Type(1, 0, "hello");
  h.DeliverAll();
  h.Type(1, 5, " lost");  // never sent
  h.Restart(1);
  h.Type(1, 0, "X");  // before it knows anything: seqs restart, the agent must not
  h.Connect(1);
  h.DeliverAll();
  h.ExpectConverged("helloX");
}

TEST(EgwalkerProtocol, RestartFromStorageSendsPendingEditsOnce) {
  RelayHarness h(EgwalkerEngine(), 2);
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
  EXPECT_EQ(ProbeCount(h.server(), probes::kDuplicateResendRecognised), 0u);
}

TEST(EgwalkerProtocol, ServerRestartReplaysItsEvents) {
  RelayHarness h(EgwalkerEngine(), 2);
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

TEST(EgwalkerProtocol, ACaretMadeBeforeConcurrentEditsLandsAfterItsCharacter) {
  RelayHarness h(EgwalkerEngine(), 2);
  h.Type(1, 0, "hello world");
  h.DeliverAll();
  h.Drop(2);
  // Client 2 edits apart, then publishes a caret after "world".
  h.Type(2, 0, ">> ");
  ASSERT_TRUE(h.client(2).ApplyLocal(Intent{IntentId{2, 100}, MoveCursor{14, std::nullopt}}).ok());
  const EncodedSelection caret = h.client(2).carets()->PublishSelection();
  // Client 1 edits before "world" meanwhile; the caret is shown once the
  // events it was made on arrive, after "world" still.
  h.Type(1, 6, "big ");
  CaretFacet& carets = *h.client(1).carets();
  ASSERT_TRUE(carets.ShowRemoteSelection(2, caret.anchor, caret.head).ok());
  EXPECT_FALSE(carets.RemoteCaret(2).has_value());  // waiting for client 2's edit
  h.Connect(2);
  h.DeliverAll();
  h.ExpectConverged(">> hello big world");
  ASSERT_TRUE(carets.RemoteCaret(2).has_value());
  EXPECT_EQ(*carets.RemoteCaret(2), 18u);
  EXPECT_EQ(h.client(2).OwnCursor(), 18u);
  // Forged or inconsistent carets are refused.
  EXPECT_FALSE(carets.ShowRemoteSelection(2, "\xff", caret.head).ok());
  wire::CaretPosition past;
  ASSERT_TRUE(past.ParseFromString(caret.head));
  past.set_index(99);
  EXPECT_FALSE(carets.ShowRemoteSelection(2, past.SerializeAsString(), past.SerializeAsString()).ok());
  EXPECT_FALSE(carets.ShowRemoteSelection(1, caret.anchor, caret.head).ok());
}

// Bytes of a push carrying `run` (with `more` as given).
std::string PushOf(const wire::EventRun& run, bool more = false) {
  wire::ClientMessage message;
  *message.mutable_push()->add_runs() = run;
  message.mutable_push()->set_more(more);
  return message.SerializeAsString();
}

TEST(EgwalkerProtocol, MalformedOrImpossibleMessagesChangeNothing) {
  RelayHarness h(EgwalkerEngine(), 2);
  h.Type(1, 0, "abc");
  h.DeliverAll();
  wire::ClientMessage valid;
  ASSERT_TRUE(valid.ParseFromString([&] {
    h.Type(1, 3, "d");
    const std::string bytes = h.PeekUp(1);
    h.DiscardUp(1);
    return bytes;
  }()));
  const wire::EventRun good = valid.push().runs(0);
  const std::string server_before = h.server().DurableState();

  std::vector<std::pair<std::string, std::string>> bad = {{"garbage", "\xff\xff\xff"}, {"no body", ""}};
  wire::EventRun past = good;
  past.set_position(9);
  bad.emplace_back("past the end", PushOf(past));
  wire::EventRun orphan = good;
  orphan.clear_parents();
  orphan.add_parents()->set_agent(12345);
  bad.emplace_back("unknown parent", PushOf(orphan));
  wire::EventRun empty = good;
  empty.set_text("");
  bad.emplace_back("empty insert", PushOf(empty));
  wire::EventRun utf8 = good;
  utf8.set_text("\xc3");
  bad.emplace_back("bad UTF-8", PushOf(utf8));
  wire::EventRun nothing = good;
  nothing.set_text("");
  nothing.set_delete_(true);
  bad.emplace_back("delete of nothing", PushOf(nothing));
  wire::EventRun huge = nothing;
  huge.set_length(uint64_t{1} << 40);
  bad.emplace_back("delete of 2^40", PushOf(huge));
  wire::EventRun anonymous = good;
  anonymous.set_intent_seq(0);
  bad.emplace_back("no intent", PushOf(anonymous));
  wire::EventRun next_past = past;  // the event after `good`, past the end
  next_past.set_seq(good.seq() + 1);
  next_past.clear_parents();
  next_past.add_parents()->set_agent(good.agent());
  next_past.mutable_parents(0)->set_seq(good.seq());
  next_past.set_position(7);
  wire::ClientMessage two;  // a good run followed by a bad one: neither applies
  *two.mutable_push()->add_runs() = good;
  *two.mutable_push()->add_runs() = next_past;
  bad.emplace_back("good then bad", two.SerializeAsString());
  for (const auto& [name, bytes] : bad) {
    const absl::Status refused = h.server().Receive(1, bytes);
    EXPECT_FALSE(refused.ok()) << name;
    EXPECT_EQ(h.server().DurableState(), server_before) << name;
    EXPECT_TRUE(h.server().TakeOutbox().empty()) << name;
  }
  // A transfer's first batch waits for the rest; a bad last batch refuses
  // the whole transfer.
  ASSERT_TRUE(h.server().Receive(1, PushOf(good, /*more=*/true)).ok());
  EXPECT_EQ(h.server().GetView().text, "abc");
  EXPECT_FALSE(h.server().Receive(1, PushOf(next_past)).ok());
  EXPECT_EQ(h.server().DurableState(), server_before);
  // And the good run still merges.
  ASSERT_TRUE(h.server().Receive(1, PushOf(good)).ok());
  EXPECT_EQ(h.server().GetView().text, "abcd");
}

TEST(EgwalkerProtocol, BadStoredStateIsRefused) {
  RelayHarness h(EgwalkerEngine(), 1);
  h.Type(1, 0, "kept");
  h.DeliverAll();
  wire::DurableState state;
  ASSERT_TRUE(state.ParseFromString(h.client(1).DurableState()));
  wire::DurableState wrong_text = state;
  wrong_text.set_text("kept!");
  auto restored = EgwalkerEngine().RestoreClient(1, wrong_text.SerializeAsString(), EngineOptions{});
  ASSERT_FALSE(restored.ok());
  EXPECT_NE(restored.status().message().find("not what the stored events give"), std::string::npos);
  wire::DurableState wrong_ack = state;
  wrong_ack.set_acked_seq(99);
  EXPECT_FALSE(EgwalkerEngine().RestoreClient(1, wrong_ack.SerializeAsString(), EngineOptions{}).ok());
  EXPECT_FALSE(EgwalkerEngine().RestoreServer(state.SerializeAsString(), EngineOptions{}).ok());  // a client's fields
  EXPECT_FALSE(EgwalkerEngine().RestoreServer("\xff", EngineOptions{}).ok());
}

}  // namespace
}  // namespace collabsim::egwalker

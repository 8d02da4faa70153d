// The ideal reference's client and server without the simulator: what each
// message carries and is charged, resends after a lost connection, durable
// state, and refusals of messages that do not fit (with nothing changed).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engines/ideal/ideal_client.h"
#include "engines/ideal/ideal_edit.h"
#include "engines/ideal/ideal_engine.h"
#include "engines/ideal/ideal_server.h"
#include "ideal_wire.pb.h"

namespace collabsim::ideal {
namespace {

Intent Insert(ReplicaId user, uint64_t seq, uint64_t position, std::string text) {
  return Intent{{user, seq}, InsertText{position, std::move(text)}};
}

// Delivers every queued message until none is left.
void Settle(IdealServer& server, std::vector<IdealClient*> clients) {
  for (bool moved = true; moved;) {
    moved = false;
    for (IdealClient* client : clients) {
      for (OutgoingMessage& m : client->TakeOutbox()) {
        ASSERT_TRUE(server.Receive(client->id(), m.bytes).ok());
        moved = true;
      }
    }
    for (OutgoingMessage& m : server.TakeOutbox()) {
      for (IdealClient* client : clients) {
        if (client->id() == m.to) {
          ASSERT_TRUE(client->Receive(kServerReplica, m.bytes).ok());
        }
      }
      moved = true;
    }
  }
}

// Connects every client to the server and lets their hellos settle.
void Join(IdealServer& server, std::vector<IdealClient*> clients) {
  for (IdealClient* client : clients) {
    server.Connected(client->id());
    client->Connected(kServerReplica);
  }
  Settle(server, clients);
}

TEST(IdealEdit, OwnBytesAreTheIntentWithoutIdsOrFraming) {
  ideal_wire::Edit edit;
  edit.set_author(7);
  edit.set_seq(123456);
  edit.mutable_insert()->set_position(300);  // a two-byte varint
  edit.mutable_insert()->set_text("héllo");  // six bytes of UTF-8
  EXPECT_EQ(OwnBytes(edit), 8u);
  edit.mutable_delete_()->set_position(5);
  edit.mutable_delete_()->set_length(200);
  EXPECT_EQ(OwnBytes(edit), 3u);
}

TEST(IdealEdit, RefusesWhatNoReplicaCouldApply) {
  ideal_wire::Edit edit;
  edit.set_author(1);
  edit.set_seq(1);
  EXPECT_FALSE(ValidateEdit(edit).ok());  // no change
  edit.mutable_insert()->set_text("\xff");
  EXPECT_FALSE(ValidateEdit(edit).ok());
  edit.mutable_insert()->set_text("");
  EXPECT_FALSE(ValidateEdit(edit).ok());
  edit.mutable_delete_()->set_length(0);
  EXPECT_FALSE(ValidateEdit(edit).ok());
  edit.mutable_delete_()->set_length(1);
  EXPECT_TRUE(ValidateEdit(edit).ok());
  edit.set_seq(0);
  EXPECT_FALSE(ValidateEdit(edit).ok());
}

TEST(IdealProtocol, AnEditIsForwardedAtOnceAndChargedItsOwnSize) {
  IdealServer server;
  IdealClient alice(1), bob(2);
  Join(server, {&alice, &bob});
  ASSERT_TRUE(alice.ApplyLocal(Insert(1, 1, 0, "hi")).ok());
  std::vector<OutgoingMessage> sent = alice.TakeOutbox();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].charged_bytes, 3u);  // position 0 and "hi"
  ASSERT_TRUE(server.Receive(1, sent[0].bytes).ok());
  std::vector<OutgoingMessage> out = server.TakeOutbox();
  ASSERT_EQ(out.size(), 2u);  // the ack to alice, the forward to bob
  for (const OutgoingMessage& m : out) {
    EXPECT_EQ(m.charged_bytes, m.to == 1 ? 0u : 3u);
    (m.to == 1 ? alice : bob).Receive(kServerReplica, m.bytes).IgnoreError();
  }
  EXPECT_EQ(bob.GetView().text, "hi");
  EXPECT_EQ(bob.TakeNewlyVisible(), (std::vector<IntentId>{{1, 1}}));
  EXPECT_EQ(alice.Stats().pending_intents, 0u);
  EXPECT_EQ(server.TakeNewlyVisible(), (std::vector<IntentId>{{1, 1}}));
}

TEST(IdealProtocol, AReconnectResendsWhatWasNotAcknowledgedAndCatchesUpOnce) {
  IdealServer server;
  IdealClient alice(1), bob(2);
  Join(server, {&alice, &bob});
  // Bob goes offline; both type. Alice's edit to bob is lost with his link.
  bob.Disconnected(kServerReplica);
  server.Disconnected(2);
  ASSERT_TRUE(alice.ApplyLocal(Insert(1, 1, 0, "a")).ok());
  ASSERT_TRUE(bob.ApplyLocal(Insert(2, 1, 0, "b")).ok());
  ASSERT_TRUE(bob.ApplyLocal(Insert(2, 3, 1, "c")).ok());  // seq 2 was a caret move
  EXPECT_TRUE(bob.TakeOutbox().empty());
  Settle(server, {&alice});
  server.Connected(2);
  bob.Connected(kServerReplica);
  Settle(server, {&alice, &bob});
  EXPECT_EQ(bob.GetView().text, "abc");
  EXPECT_EQ(alice.GetView().text, "bca");  // nothing merged: each edit lands where its author made it
  EXPECT_EQ(bob.TakeNewlyVisible(), (std::vector<IntentId>{{1, 1}}));
  EXPECT_EQ(alice.TakeNewlyVisible(), (std::vector<IntentId>{{2, 1}, {2, 3}}));
  EXPECT_EQ(bob.Stats().pending_intents, 0u);
  // A hello resending an edit the log has (its ack was lost) adds nothing.
  EXPECT_EQ(server.TakeNewlyVisible().size(), 3u);
  const std::string log = server.DurableState();
  ideal_wire::ClientMessage again;
  again.mutable_hello()->set_seen_through(3);
  ideal_wire::Edit* resent = again.mutable_hello()->add_unacknowledged();
  resent->set_author(2);
  resent->set_seq(1);
  resent->mutable_insert()->set_text("b");
  server.Connected(2);
  ASSERT_TRUE(server.Receive(2, again.SerializeAsString()).ok());
  EXPECT_TRUE(server.TakeNewlyVisible().empty());
  EXPECT_EQ(server.DurableState(), log);
}

TEST(IdealProtocol, RefusedMessagesChangeNothing) {
  IdealServer server;
  IdealClient alice(1);
  Join(server, {&alice});
  const std::string before = server.DurableState();
  ideal_wire::ClientMessage edit;
  edit.mutable_edit()->set_author(2);  // not the sender's own
  edit.mutable_edit()->set_seq(1);
  edit.mutable_edit()->mutable_insert()->set_text("x");
  EXPECT_FALSE(server.Receive(1, edit.SerializeAsString()).ok());
  EXPECT_FALSE(server.Receive(1, "\xff\xff").ok());
  ideal_wire::ClientMessage hello;
  hello.mutable_hello()->set_seen_through(5);  // past the log
  EXPECT_FALSE(server.Receive(1, hello.SerializeAsString()).ok());
  EXPECT_EQ(server.DurableState(), before);
  EXPECT_TRUE(server.TakeOutbox().empty());
  edit.mutable_edit()->set_author(1);
  EXPECT_FALSE(server.Receive(3, edit.SerializeAsString()).ok());  // user 3 sent no hello

  const std::string client_before = alice.DurableState();
  ideal_wire::ServerMessage own_back;
  ideal_wire::LogEntry* entry = own_back.mutable_forward()->add_entries();
  entry->set_index(1);
  *entry->mutable_edit() = edit.edit();  // alice's own edit forwarded back
  EXPECT_FALSE(alice.Receive(kServerReplica, own_back.SerializeAsString()).ok());
  entry->mutable_edit()->set_author(2);
  ideal_wire::LogEntry* stale = own_back.mutable_forward()->add_entries();
  *stale = *entry;  // the same index twice
  EXPECT_FALSE(alice.Receive(kServerReplica, own_back.SerializeAsString()).ok());
  EXPECT_EQ(alice.DurableState(), client_before);
  EXPECT_TRUE(alice.TakeNewlyVisible().empty());
}

TEST(IdealProtocol, DurableStateRestoresAndCorruptStateIsRefused) {
  IdealServer server;
  IdealClient alice(1);
  Join(server, {&alice});
  ASSERT_TRUE(alice.ApplyLocal(Insert(1, 1, 0, "abc")).ok());
  Settle(server, {&alice});
  alice.Disconnected(kServerReplica);
  ASSERT_TRUE(alice.ApplyLocal(Insert(1, 2, 3, "d")).ok());

  const Engine& engine = IdealEngine();
  auto restored_server = engine.RestoreServer(server.DurableState(), EngineOptions{});
  ASSERT_TRUE(restored_server.ok());
  EXPECT_EQ((*restored_server)->TakeNewlyVisible(), (std::vector<IntentId>{{1, 1}}));
  auto restored_client = engine.RestoreClient(1, alice.DurableState(), EngineOptions{});
  ASSERT_TRUE(restored_client.ok());
  EXPECT_EQ((*restored_client)->GetView().text, "abcd");
  EXPECT_EQ((*restored_client)->Stats().pending_intents, 1u);

  EXPECT_FALSE(engine.RestoreServer("\xff\xff\xff", EngineOptions{}).ok());
  EXPECT_FALSE(engine.RestoreClient(2, alice.DurableState(), EngineOptions{}).ok());  // another user's edits
  ideal_wire::ClientState bad;
  bad.set_text("ab");
  bad.set_cursor(3);
  EXPECT_FALSE(engine.RestoreClient(1, bad.SerializeAsString(), EngineOptions{}).ok());
}

}  // namespace
}  // namespace collabsim::ideal

// The presence participants driven by hand, without a simulator, as a live
// transport would drive them: a client's update reaches the server's room,
// the room's batch reaches the other members, and each shows the cursor
// where its owner has it; peers do the same without a server. Bad bytes
// are refused with an error naming who refused what, and change nothing.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "absl/strings/str_format.h"
#include "engines/presence/presence_peer.h"
#include "engines/presence/presence_server.h"
#include "engines/presence/presence_user.h"
#include "engines/registry.h"
#include "tests/engines/common/relay_harness.h"

namespace collabsim {
namespace {

constexpr int64_t kMs = 1'000'000;

PresenceEntry Identity(ReplicaId user) {
  PresenceEntry entry;
  entry.user = user;
  entry.name = absl::StrFormat("user %d", user);
  entry.colour = 0x123456;
  return entry;
}

CaretAccess ClientCarets(Replica& client) { return CaretAccess{client.carets(), nullptr}; }

// Three OT users through a server, text "hello world" everywhere.
class ThroughServer : public ::testing::Test {
 protected:
  ThroughServer() : h_(**FindEngine("ot"), 3), server_(options_) {
    h_.Type(1, 0, "hello world");
    h_.DeliverAll();
    for (ReplicaId user = 1; user <= 3; ++user) {
      users_.push_back(std::make_unique<PresenceClient>(Identity(user), options_));
      users_.back()->Online();
      server_.LinkUp(user, /*peer_reads_only=*/false, 0);
    }
  }

  // User 1 moves its caret to `at` and everything is delivered at `now`.
  void MoveAndDeliver(uint64_t at, int64_t now) {
    ASSERT_TRUE(h_.Do(1, MoveCursor{at}).ok());
    ASSERT_TRUE(users_[0]->Publish(h_.client(1).carets()->PublishSelection()));
    PresenceOutput sent = users_[0]->OnTimer(now, ClientCarets(h_.client(1)));
    ASSERT_EQ(sent.sends.size(), 1u);
    EXPECT_EQ(sent.sends[0].to, kServerReplica);
    EXPECT_EQ(sent.sends[0].kind, PresenceSend::Kind::kUpdate);
    ASSERT_TRUE(sent.published.has_value());
    const PresenceOutput received = server_.Receive(1, sent.sends[0].bytes, now, {nullptr, h_.server().caret_rebase()});
    EXPECT_TRUE(received.errors.empty());
    EXPECT_TRUE(received.moved);
    ASSERT_TRUE(server_.NextDue().has_value());
    PresenceOutput batches = server_.OnTimer(std::max(now, *server_.NextDue()), {nullptr, h_.server().caret_rebase()});
    EXPECT_TRUE(batches.batched);
    for (PresenceSend& batch : batches.sends) {
      EXPECT_EQ(batch.kind, PresenceSend::Kind::kRoomBatch);
      PresenceOutput shown = users_[batch.to - 1]->Receive(kServerReplica, batch.bytes, now, ClientCarets(h_.client(batch.to)));
      EXPECT_TRUE(shown.errors.empty()) << shown.errors.front();
    }
  }

  PresenceOptions options_;
  testing::RelayHarness h_;
  PresenceServer server_;
  std::vector<std::unique_ptr<PresenceClient>> users_;
};

TEST_F(ThroughServer, ACaretReachesEveryOtherMemberWhereItsOwnerHasIt) {
  MoveAndDeliver(6, 10 * kMs);
  for (ReplicaId observer : {2, 3}) {
    EXPECT_TRUE(users_[observer - 1]->Sees(1));
    EXPECT_EQ(h_.client(observer).carets()->RemoteSelection(1), h_.client(1).carets()->OwnSelection());
  }
  EXPECT_FALSE(users_[0]->Sees(1));  // never shown its own entry
  // An idle caret publishes nothing new.
  EXPECT_FALSE(users_[0]->Publish(h_.client(1).carets()->PublishSelection()));
}

TEST_F(ThroughServer, GoingOfflineHidesEveryoneAndLeavingTellsTheOthers) {
  MoveAndDeliver(6, 10 * kMs);
  users_[1]->Offline(ClientCarets(h_.client(2)));
  EXPECT_FALSE(users_[1]->Sees(1));
  EXPECT_EQ(h_.client(2).carets()->RemoteSelection(1), std::nullopt);
  server_.LinkDown(1);
  ASSERT_TRUE(server_.NextDue().has_value());
  PresenceOutput batches = server_.OnTimer(*server_.NextDue() + 100 * kMs, {});
  bool told = false;
  for (PresenceSend& batch : batches.sends) {
    if (batch.to != 3) continue;
    users_[2]->Receive(kServerReplica, batch.bytes, 0, ClientCarets(h_.client(3)));
    told = true;
  }
  EXPECT_TRUE(told);
  EXPECT_FALSE(users_[2]->Sees(1));
}

TEST_F(ThroughServer, UndecodableBytesAreRefusedByNameAndChangeNothing) {
  MoveAndDeliver(6, 10 * kMs);
  const PresenceOutput server = server_.Receive(2, "\xff\xff", 20 * kMs, {});
  ASSERT_EQ(server.errors.size(), 1u);
  EXPECT_NE(server.errors[0].find("the server rejected user 2's presence update"), std::string::npos)
      << server.errors[0];
  EXPECT_FALSE(server.moved);
  const PresenceOutput client = users_[1]->Receive(kServerReplica, "\xff\xff", 20 * kMs, ClientCarets(h_.client(2)));
  ASSERT_EQ(client.errors.size(), 1u);
  EXPECT_NE(client.errors[0].find("user 2 rejected a presence batch from the server"), std::string::npos)
      << client.errors[0];
  EXPECT_TRUE(users_[1]->Sees(1));
  EXPECT_EQ(h_.client(2).carets()->RemoteSelection(1), h_.client(1).carets()->OwnSelection());
}

TEST(PresencePeers, ACaretCrossesALinkAndIsForgottenAfterTheTtl) {
  const Engine& engine = **FindEngine("crdt-mesh");
  PresenceOptions options;
  std::unique_ptr<Replica> a = engine.CreateClient(1, {true}), b = engine.CreateClient(2, {true});
  PresencePeer pa(Identity(1), options), pb(Identity(2), options);
  for (PresencePeer* peer : {&pa, &pb}) peer->Online();
  pa.LinkUp(2, false, 0);
  pb.LinkUp(1, false, 0);
  ASSERT_TRUE(pa.Publish(a->carets()->PublishSelection()));
  ASSERT_TRUE(pa.NextDue().has_value());
  PresenceOutput sent = pa.OnTimer(std::max<int64_t>(0, *pa.NextDue()), ClientCarets(*a));
  ASSERT_TRUE(sent.published.has_value());
  EXPECT_GT(sent.published->version, 0u);
  ASSERT_EQ(sent.sends.size(), 1u);
  EXPECT_EQ(sent.sends[0].to, 2u);
  EXPECT_EQ(sent.sends[0].kind, PresenceSend::Kind::kGossipBatch);
  ASSERT_EQ(sent.sends[0].content.entries.size(), 1u);
  const PresenceOutput shown = pb.Receive(1, sent.sends[0].bytes, 0, ClientCarets(*b));
  EXPECT_TRUE(shown.errors.empty());
  EXPECT_EQ(shown.shown, std::vector<ReplicaId>{1});
  EXPECT_TRUE(pb.Sees(1));
  EXPECT_EQ(b->carets()->RemoteSelection(1), a->carets()->OwnSelection());
  pb.CheckInvariants();
  // Nothing refreshes it: past the TTL, b forgets a.
  pb.OnTimer(options.ttl_ns + 1, ClientCarets(*b));
  EXPECT_FALSE(pb.Sees(1));
  EXPECT_EQ(b->carets()->RemoteSelection(1), std::nullopt);
}

}  // namespace
}  // namespace collabsim

// Replica::Receive ignores a proxy's duplicate (the same bytes again, right
// after they were accepted, from the same peer on the same connection) and
// nothing else: not a repeat with another message between, not a repeat
// after a reconnect, not a repeat of a message that was refused.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engines/common/replica.h"

namespace collabsim {
namespace {

// Records what reaches the engine; refuses messages that start with "bad".
class RecordingReplica final : public Replica {
 public:
  RecordingReplica() : Replica(1) {}
  absl::Status ApplyLocal(const Intent&) override { return absl::OkStatus(); }
  View GetView() const override { return {}; }
  ReplicaStats Stats() const override { return {}; }
  std::vector<OutgoingMessage> TakeOutbox() override { return {}; }
  std::vector<IntentId> TakeNewlyVisible() override { return {}; }
  void CheckInvariants() const override {}
  std::string DurableState() const override { return ""; }

  std::vector<std::string> received;

 protected:
  absl::Status ReceiveMessage(ReplicaId from, std::string_view bytes) override {
    received.push_back(std::to_string(from) + ":" + std::string(bytes));
    if (bytes.starts_with("bad")) return absl::InvalidArgumentError("refused");
    return absl::OkStatus();
  }
  void OnConnected(ReplicaId) override {}
  void OnDisconnected(ReplicaId) override {}
};

TEST(DuplicateDelivery, AnImmediateRepeatIsIgnored) {
  RecordingReplica r;
  EXPECT_TRUE(r.Receive(0, "welcome r5").ok());
  EXPECT_TRUE(r.Receive(0, "welcome r5").ok());
  EXPECT_EQ(r.received, (std::vector<std::string>{"0:welcome r5"}));
}

TEST(DuplicateDelivery, ARepeatAfterAnotherMessageIsDelivered) {
  RecordingReplica r;
  ASSERT_TRUE(r.Receive(0, "a").ok());
  ASSERT_TRUE(r.Receive(0, "b").ok());
  ASSERT_TRUE(r.Receive(0, "a").ok());
  EXPECT_EQ(r.received, (std::vector<std::string>{"0:a", "0:b", "0:a"}));
}

TEST(DuplicateDelivery, PeersAreTrackedApart) {
  RecordingReplica r;
  ASSERT_TRUE(r.Receive(2, "x").ok());
  ASSERT_TRUE(r.Receive(3, "x").ok());
  ASSERT_TRUE(r.Receive(2, "x").ok());  // still the last from 2
  EXPECT_EQ(r.received, (std::vector<std::string>{"2:x", "3:x"}));
}

TEST(DuplicateDelivery, ANewConnectionStartsAfresh) {
  RecordingReplica r;
  ASSERT_TRUE(r.Receive(0, "hello").ok());
  r.Disconnected(0);
  ASSERT_TRUE(r.Receive(0, "hello").ok());  // after a drop: a new message
  r.Connected(0);
  ASSERT_TRUE(r.Receive(0, "hello").ok());  // on the new connection: again
  ASSERT_TRUE(r.Receive(0, "hello").ok());  // its duplicate
  EXPECT_EQ(r.received, (std::vector<std::string>{"0:hello", "0:hello", "0:hello"}));
}

TEST(DuplicateDelivery, ARefusedMessageIsRefusedAgain) {
  RecordingReplica r;
  EXPECT_FALSE(r.Receive(0, "bad one").ok());
  EXPECT_FALSE(r.Receive(0, "bad one").ok());
  EXPECT_EQ(r.received.size(), 2u);
}

}  // namespace
}  // namespace collabsim

// Large OT transfers over a connection that drops: a long catch-up comes in
// bounded messages, and an op or log entry too large for one message travels
// in parts; after a drop each resumes where it stopped instead of starting
// over, which is what lets a thin, flaky link make progress at all.
#include <gtest/gtest.h>

#include "engines/common/probes.h"
#include "engines/ot/wire_limits.h"
#include "ot_wire.pb.h"
#include "tests/engines/ot/ot_harness.h"

namespace collabsim::ot {
namespace {

// Words "w0 w1 ..." up to at least `bytes` bytes: one paste-sized insert.
std::string Words(size_t bytes) {
  std::string text;
  for (int k = 0; text.size() < bytes; ++k) text += "w" + std::to_string(k) + " ";
  return text;
}

wire::ClientMessage ParseUp(const std::string& bytes) {
  wire::ClientMessage message;
  EXPECT_TRUE(message.ParseFromString(bytes));
  return message;
}

wire::ServerMessage ParseDown(const std::string& bytes) {
  wire::ServerMessage message;
  EXPECT_TRUE(message.ParseFromString(bytes));
  return message;
}

TEST(OtLargeTransfer, LargeOpUploadsInPartsAndResumesAfterADrop) {
  Harness h(2);
  const std::string text = Words(2 * kMaxPartBytes + 5000);
  h.Type(1, 0, text);
  ASSERT_EQ(h.QueuedUp(1), 3u);
  for (const std::string& bytes : h.Up(1)) {
    const wire::ClientMessage message = ParseUp(bytes);
    ASSERT_TRUE(message.has_submit_part());
    EXPECT_LE(message.submit_part().part().data().size(), kMaxPartBytes);
  }
  ASSERT_TRUE(h.DeliverUp(1));  // one part gets through, then the link drops
  h.Drop(1);
  EXPECT_EQ(h.server().head_revision(), 0u);
  h.Connect(1);
  ASSERT_TRUE(h.DeliverUp(1));  // Hello
  const wire::ServerMessage welcome = ParseDown(h.Down(1).front());
  ASSERT_TRUE(welcome.has_welcome());
  EXPECT_EQ(welcome.welcome().partial_submit_bytes(), kMaxPartBytes);
  ASSERT_TRUE(h.DeliverDown(1));
  // Only the rest goes up again.
  ASSERT_EQ(h.QueuedUp(1), 2u);
  EXPECT_EQ(ParseUp(h.Up(1).front()).submit_part().part().offset(), kMaxPartBytes);
  ASSERT_TRUE(h.DeliverUp(1));
  ASSERT_TRUE(h.DeliverUp(1));
  EXPECT_EQ(h.server().head_revision(), 1u);
  // The other client gets the entry in parts too.
  ASSERT_EQ(h.QueuedDown(2), 3u);
  for (const std::string& bytes : h.Down(2)) EXPECT_TRUE(ParseDown(bytes).has_entry_part());
  h.DeliverAll();
  h.ExpectConverged(text);
  EXPECT_EQ(h.server().head_revision(), 1u);
}

TEST(OtLargeTransfer, LargeEntryResumesInsideTheEntryAfterADrop) {
  Harness h(2);
  const std::string text = Words(2 * kMaxPartBytes + 5000);
  h.Type(1, 0, text);
  while (h.DeliverUp(1)) {
  }
  ASSERT_EQ(h.QueuedDown(2), 3u);
  ASSERT_TRUE(h.DeliverDown(2));
  h.Drop(2);
  EXPECT_EQ(h.client(2).revision(), 0u);
  h.Connect(2);
  const wire::ClientMessage hello = ParseUp(h.Up(2).front());
  ASSERT_TRUE(hello.has_hello());
  EXPECT_EQ(hello.hello().partial_entry_bytes(), kMaxPartBytes);
  ASSERT_TRUE(h.DeliverUp(2));
  // Welcome (no whole entries) and the two remaining parts.
  ASSERT_EQ(h.QueuedDown(2), 3u);
  EXPECT_EQ(ParseDown(h.Down(2)[1]).entry_part().part().offset(), kMaxPartBytes);
  h.DeliverAll();
  h.ExpectConverged(text);
}

TEST(OtLargeTransfer, LongCatchUpComesInBoundedMessagesAndADropKeepsProgress) {
  Harness h(2);
  h.Drop(2);
  h.Type(2, 0, "offline ");  // pending work that the catch-up rebases
  std::string expected;
  for (int k = 0; k < 1500; ++k) {
    const std::string word = "word" + std::to_string(k) + " ";
    h.Type(1, expected.size(), word);
    expected += word;
    h.DeliverAll();
  }
  h.Connect(2);
  ASSERT_TRUE(h.DeliverUp(2));  // Hello
  ASSERT_GT(h.QueuedDown(2), 2u);
  EXPECT_TRUE(ParseDown(h.Down(2).front()).has_welcome());
  for (size_t k = 1; k < h.QueuedDown(2); ++k) EXPECT_TRUE(ParseDown(h.Down(2)[k]).has_catch_up());
  for (const std::string& bytes : h.Down(2)) EXPECT_LE(bytes.size(), kMaxPartBytes + 1024);
  ASSERT_TRUE(h.DeliverDown(2));
  ASSERT_TRUE(h.DeliverDown(2));
  const uint64_t reached = h.client(2).revision();
  EXPECT_GT(reached, 0u);
  EXPECT_LT(reached, 1500u);
  EXPECT_EQ(h.QueuedUp(2), 0u) << "nothing is sent before the catch-up ends";
  h.Drop(2);
  h.Connect(2);
  EXPECT_EQ(ParseUp(h.Up(2).front()).hello().known_revision(), reached);
  h.DeliverAll();
  h.ExpectConverged(expected + "offline ");
  // One catch-up over two connections: the probes count it once.
  EXPECT_EQ(ProbeCount(h.client(2), probes::kOpRebasedAcrossReconnect), 1u);
  EXPECT_EQ(ProbeCount(h.client(2), probes::kCatchUpAfterLongOffline), 1u);
}

TEST(OtLargeTransfer, BadPartsAndResumePointsAreRefusedAndChangeNothing) {
  Harness h(2);
  const std::string text = Words(kMaxPartBytes + 100);
  h.Type(1, 0, text);
  h.DeliverAll();
  ASSERT_EQ(h.server().head_revision(), 1u);

  // Server: a part that does not start a new upload at byte 0.
  wire::ClientMessage part;
  part.mutable_submit_part()->set_client_seq(1);
  part.mutable_submit_part()->set_base_revision(1);
  part.mutable_submit_part()->mutable_part()->set_offset(5);
  part.mutable_submit_part()->mutable_part()->set_total_size(100);
  part.mutable_submit_part()->mutable_part()->set_data("x");
  EXPECT_FALSE(h.server().Receive(2, part.SerializeAsString()).ok());
  // A whole message that is not a Submit once reassembled.
  part.mutable_submit_part()->mutable_part()->set_offset(0);
  part.mutable_submit_part()->mutable_part()->set_total_size(3);
  part.mutable_submit_part()->mutable_part()->set_data("\xff\xff\xff");
  EXPECT_FALSE(h.server().Receive(2, part.SerializeAsString()).ok());
  // A Hello claiming more of the next entry than it has, or part of an
  // entry beyond the head.
  wire::ClientMessage hello;
  hello.mutable_hello()->set_known_revision(0);
  hello.mutable_hello()->set_partial_entry_bytes(1 << 20);
  EXPECT_FALSE(h.server().Receive(2, hello.SerializeAsString()).ok());
  hello.mutable_hello()->set_known_revision(1);
  hello.mutable_hello()->set_partial_entry_bytes(1);
  EXPECT_FALSE(h.server().Receive(2, hello.SerializeAsString()).ok());
  EXPECT_TRUE(h.server().TakeOutbox().empty());
  EXPECT_EQ(h.server().head_revision(), 1u);

  // Client: an entry part for a revision it is not expecting, and one that
  // does not decode once whole.
  wire::ServerMessage entry_part;
  entry_part.mutable_entry_part()->set_revision(5);
  entry_part.mutable_entry_part()->mutable_part()->set_offset(0);
  entry_part.mutable_entry_part()->mutable_part()->set_total_size(3);
  entry_part.mutable_entry_part()->mutable_part()->set_data("\xff\xff\xff");
  EXPECT_FALSE(h.client(2).Receive(kServerReplica, entry_part.SerializeAsString()).ok());
  entry_part.mutable_entry_part()->set_revision(2);
  EXPECT_FALSE(h.client(2).Receive(kServerReplica, entry_part.SerializeAsString()).ok());
  EXPECT_EQ(h.client(2).revision(), 1u);
  h.ExpectConverged(text);
}

TEST(OtLargeTransfer, WelcomeClaimingMoreOfTheOpThanItHasIsRejected) {
  Harness h(1);
  h.Type(1, 0, Words(kMaxPartBytes + 100));
  const wire::ClientMessage first = ParseUp(h.Up(1).front());
  h.Drop(1);
  h.Connect(1);  // the client awaits a Welcome again
  wire::ServerMessage welcome;
  welcome.mutable_welcome()->set_head_revision(h.client(1).revision());
  welcome.mutable_welcome()->set_last_client_seq(0);
  welcome.mutable_welcome()->set_partial_submit_seq(first.submit_part().client_seq());
  welcome.mutable_welcome()->set_partial_submit_base(first.submit_part().base_revision());
  welcome.mutable_welcome()->set_partial_submit_bytes(first.submit_part().part().total_size());
  EXPECT_FALSE(h.client(1).Receive(kServerReplica, welcome.SerializeAsString()).ok());
  // The same Welcome with a resume point inside the op is taken, and the
  // upload goes on from there.
  welcome.mutable_welcome()->set_partial_submit_bytes(kMaxPartBytes);
  ASSERT_TRUE(h.client(1).Receive(kServerReplica, welcome.SerializeAsString()).ok());
  const std::vector<OutgoingMessage> rest = h.client(1).TakeOutbox();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(ParseUp(rest[0].bytes).submit_part().part().offset(), kMaxPartBytes);
}

}  // namespace
}  // namespace collabsim::ot

// OT messages in history files: each type named with the fields that matter,
// long inserts cut, and bytes that do not decode described, not trusted.
#include "engines/ot/ot_message_text.h"

#include <gtest/gtest.h>

#include "ot_wire.pb.h"

namespace collabsim::ot {
namespace {

TEST(OtMessageText, ClientMessages) {
  wire::ClientMessage hello;
  hello.mutable_hello()->set_known_revision(7);
  EXPECT_EQ(DescribeOtMessage(false, hello.SerializeAsString()), "Hello known r7");
  wire::ClientMessage submit;
  submit.mutable_submit()->set_client_seq(3);
  submit.mutable_submit()->set_base_revision(7);
  submit.mutable_submit()->mutable_op()->add_components()->set_retain(4);
  submit.mutable_submit()->mutable_op()->add_components()->set_insert("ab\n");
  submit.mutable_submit()->mutable_op()->add_components()->set_delete_count(2);
  submit.mutable_submit()->add_intents()->set_seq(9);
  EXPECT_EQ(DescribeOtMessage(false, submit.SerializeAsString()),
            "Submit op 3 on r7 [retain 4, insert \"ab\\n\", delete 2] (1 intents)");
}

TEST(OtMessageText, ServerMessagesAndLongInserts) {
  wire::ServerMessage broadcast;
  broadcast.mutable_broadcast()->set_revision(8);
  broadcast.mutable_broadcast()->set_origin(2);
  broadcast.mutable_broadcast()->set_client_seq(5);
  broadcast.mutable_broadcast()->mutable_op()->add_components()->set_insert(std::string(100, 'x'));
  EXPECT_EQ(DescribeOtMessage(true, broadcast.SerializeAsString()),
            "Broadcast r8 from user 2 op 5 [insert \"xxxxxxxxxxxxxxxxxxxx...\" (100 bytes)]");
  wire::ServerMessage part;
  part.mutable_entry_part()->set_revision(9);
  part.mutable_entry_part()->mutable_part()->set_offset(16);
  part.mutable_entry_part()->mutable_part()->set_total_size(40);
  part.mutable_entry_part()->mutable_part()->set_data(std::string(8, 'y'));
  EXPECT_EQ(DescribeOtMessage(true, part.SerializeAsString()), "EntryPart r9 bytes 16..24 of 40");
}

TEST(OtMessageText, UndecodableBytesAreDescribed) {
  EXPECT_EQ(DescribeOtMessage(true, "\xff\xff"), "undecodable server message (2 bytes)");
  EXPECT_EQ(DescribeOtMessage(false, "\xff\xff"), "undecodable client message (2 bytes)");
}

}  // namespace
}  // namespace collabsim::ot

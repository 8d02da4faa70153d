// Large OT messages in parts: splitting covers the bytes exactly, and a
// reassembly refuses any part that does not continue what it holds.
#include "engines/ot/wire_limits.h"

#include <gtest/gtest.h>

namespace collabsim::ot {
namespace {

std::string Bytes(size_t n) {
  std::string bytes(n, '\0');
  for (size_t k = 0; k < n; ++k) bytes[k] = static_cast<char>(k * 131 % 251);
  return bytes;
}

wire::Part MakePart(uint64_t offset, uint64_t total, std::string data) {
  wire::Part part;
  part.set_offset(offset);
  part.set_total_size(total);
  part.set_data(std::move(data));
  return part;
}

TEST(WireLimits, PartsCoverTheMessageAndReassembleIt) {
  const std::string message = Bytes(2 * kMaxPartBytes + 100);
  const std::vector<wire::Part> parts = SplitIntoParts(message, 0);
  ASSERT_EQ(parts.size(), 3u);
  Reassembly reassembly;
  for (size_t k = 0; k < parts.size(); ++k) {
    EXPECT_LE(parts[k].data().size(), kMaxPartBytes);
    EXPECT_EQ(parts[k].total_size(), message.size());
    auto whole = reassembly.Offer(parts[k]);
    ASSERT_TRUE(whole.ok()) << whole.status();
    EXPECT_EQ(whole->has_value(), k + 1 == parts.size());
    if (whole->has_value()) {
      EXPECT_EQ(**whole, message);
    }
  }
  // The completing part was not appended: a caller that rejects the message
  // still holds the earlier parts and can take the last one again.
  EXPECT_EQ(reassembly.held(), 2 * kMaxPartBytes);
  reassembly.Clear();
  EXPECT_EQ(reassembly.held(), 0u);
}

TEST(WireLimits, PartsResumeFromAnOffset) {
  const std::string message = Bytes(kMaxPartBytes + 10);
  const std::vector<wire::Part> tail = SplitIntoParts(message, 7);
  ASSERT_EQ(tail.size(), 2u);
  EXPECT_EQ(tail[0].offset(), 7u);
  EXPECT_EQ(tail[0].data(), message.substr(7, kMaxPartBytes));
  EXPECT_EQ(tail[1].data(), message.substr(7 + kMaxPartBytes));
}

TEST(WireLimits, PartsThatDoNotContinueAreRefusedAndChangeNothing) {
  Reassembly reassembly;
  ASSERT_TRUE(reassembly.Offer(MakePart(0, 100, std::string(40, 'a'))).ok());
  const struct {
    wire::Part part;
    const char* why;
  } bad[] = {
      {MakePart(30, 100, "x"), "starts at byte 30"},
      {MakePart(40, 90, "x"), "the total is 90"},
      {MakePart(40, 100, ""), "empty"},
      {MakePart(40, 100, std::string(61, 'x')), "runs past"},
      {MakePart(40, 0, "x"), "total of 0"},
      {MakePart(40, kMaxReassembledBytes + 1, "x"), "limit"},
  };
  for (const auto& [part, why] : bad) {
    auto result = reassembly.Offer(part);
    ASSERT_FALSE(result.ok()) << why;
    EXPECT_NE(std::string(result.status().message()).find(why), std::string::npos) << result.status();
    EXPECT_EQ(reassembly.held(), 40u);
  }
  auto whole = reassembly.Offer(MakePart(40, 100, std::string(60, 'b')));
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(**whole, std::string(40, 'a') + std::string(60, 'b'));
}

}  // namespace
}  // namespace collabsim::ot

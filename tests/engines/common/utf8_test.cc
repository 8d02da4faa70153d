// UTF-8 codec: round trips and rejection of malformed input.
#include "engines/common/utf8.h"

#include <gtest/gtest.h>

namespace collabsim {
namespace {

TEST(Utf8, RoundTripsEveryEncodedLength) {
  const std::string text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";  // a é € 😀
  auto decoded = DecodeUtf8(text);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, (std::u32string{U'a', U'\u00e9', U'\u20ac', U'\U0001F600'}));
  EXPECT_EQ(EncodeUtf8(*decoded), text);
  EXPECT_EQ(CountCodePoints(text), 4u);
}

TEST(Utf8, RejectsMalformedSequences) {
  for (const std::string& bad : {std::string("\x80"), std::string("\xC3"), std::string("\xE2\x82"),
                                std::string("\xC0\xAF"), std::string("\xED\xA0\x80"), std::string("\xF4\x90\x80\x80"),
                                std::string("\xFF"), std::string("ab\xC3(")}) {
    EXPECT_FALSE(DecodeUtf8(bad).ok()) << "accepted bytes of length " << bad.size();
  }
}

}  // namespace
}  // namespace collabsim

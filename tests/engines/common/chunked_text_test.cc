// ChunkedText against a flat std::u32string: every splice, slice and
// encoding must agree, across chunk boundaries and with pastes larger than a
// chunk, and the chunk invariants must hold after every step.
#include "engines/common/chunked_text.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "engines/common/utf8.h"

namespace collabsim {
namespace {

constexpr size_t kChunk = ChunkedText::kMaxChunk;

std::u32string Letters(size_t length, char32_t first) {
  std::u32string text;
  for (size_t k = 0; k < length; ++k) text.push_back(first + static_cast<char32_t>(k % 26));
  return text;
}

TEST(ChunkedText, StartsEmpty) {
  ChunkedText text;
  EXPECT_TRUE(text.empty());
  EXPECT_EQ(text.ToUtf8(), "");
  EXPECT_EQ(text.Slice(0, 10), U"");
  text.CheckInvariants();
}

TEST(ChunkedText, PasteLargerThanAChunkIsSplitAndReadsBack) {
  const std::u32string big = Letters(5 * kChunk + 7, U'a');
  ChunkedText text(big);
  text.CheckInvariants();
  EXPECT_EQ(text.size(), big.size());
  EXPECT_EQ(text.ToU32String(), big);
  // A slice that starts in one chunk and ends three chunks later.
  EXPECT_EQ(text.Slice(kChunk / 2 - 3, 2 * kChunk), big.substr(kChunk / 2 - 3, 2 * kChunk));
  // Slices are clamped to the text.
  EXPECT_EQ(text.Slice(big.size() - 2, 100), big.substr(big.size() - 2));
  EXPECT_EQ(text.Slice(big.size(), 1), U"");
}

TEST(ChunkedText, EraseAcrossChunksKeepsBothEnds) {
  const std::u32string big = Letters(4 * kChunk, U'A');
  ChunkedText text(big);
  std::u32string expected = big;
  text.Erase(kChunk / 4, 2 * kChunk + 11);
  expected.erase(kChunk / 4, 2 * kChunk + 11);
  text.CheckInvariants();
  EXPECT_EQ(text.ToU32String(), expected);
  text.Erase(0, text.size());
  EXPECT_TRUE(text.empty());
  text.CheckInvariants();
  text.Insert(0, U"x");
  EXPECT_EQ(text.ToU32String(), U"x");
}

TEST(ChunkedText, TypingAtTheEndOfAChunkDoesNotOverfillIt) {
  ChunkedText text;
  std::u32string expected;
  for (size_t k = 0; k < 3 * kChunk; ++k) {
    const std::u32string letter(1, U'a' + static_cast<char32_t>(k % 26));
    text.Insert(text.size(), letter);
    expected += letter;
  }
  text.CheckInvariants();
  EXPECT_EQ(text.ToU32String(), expected);
}

TEST(ChunkedText, Utf8SliceEncodesWideCodePoints) {
  ChunkedText text(U"a\u00e9\u20ac\U0001F600b");
  EXPECT_EQ(text.Utf8Slice(1, 3), "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  EXPECT_EQ(text.ToUtf8(), EncodeUtf8(U"a\u00e9\u20ac\U0001F600b"));
}

// Random splices of random sizes (small typing and chunk-sized pastes and
// cuts) agree with a flat string at every step.
RC_GTEST_PROP(ChunkedTextProperty, MatchesAFlatString, ()) {
  ChunkedText text;
  std::u32string expected;
  const auto steps = *rc::gen::inRange(1, 120);
  for (int step = 0; step < steps; ++step) {
    const bool insert = expected.empty() || *rc::gen::inRange(0, 3) != 0;
    if (insert) {
      const auto position = *rc::gen::inRange<size_t>(0, expected.size() + 1);
      const auto length = *rc::gen::oneOf(rc::gen::inRange<size_t>(1, 8),
                                          rc::gen::inRange<size_t>(kChunk / 2, 3 * kChunk));
      const std::u32string piece = Letters(length, *rc::gen::element(U'a', U'\u00e9', U'\U0001F600'));
      text.Insert(position, piece);
      expected.insert(position, piece);
    } else {
      const auto position = *rc::gen::inRange<size_t>(0, expected.size());
      const auto length = *rc::gen::inRange<size_t>(1, expected.size() - position + 1);
      text.Erase(position, length);
      expected.erase(position, length);
    }
    text.CheckInvariants();
    RC_ASSERT(text.size() == expected.size());
  }
  RC_ASSERT(text.ToU32String() == expected);
  const auto from = *rc::gen::inRange<size_t>(0, expected.size() + 2);
  const auto count = *rc::gen::inRange<size_t>(0, 2 * kChunk);
  RC_ASSERT(text.Slice(from, count) == (from >= expected.size() ? U"" : expected.substr(from, count)));
}

}  // namespace
}  // namespace collabsim

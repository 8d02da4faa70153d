// Fractional keys: always strictly between their neighbours, a total order
// by plain string comparison, valid by construction, and short under
// random insertion and long runs of appends.
#include "engines/common/fractional_index.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace collabsim {
namespace {

TEST(FractionalIndex, ValidKeys) {
  EXPECT_TRUE(IsValidKey("1"));
  EXPECT_TRUE(IsValidKey("Az9"));
  EXPECT_FALSE(IsValidKey(""));
  EXPECT_FALSE(IsValidKey("10"));   // trailing zero: nothing fits before "1" + zeros
  EXPECT_FALSE(IsValidKey("a-b"));  // not a digit
}

TEST(FractionalIndex, BetweenAdjacentDigitsGoesDeeper) {
  const std::string key = KeyBetween("a", "b", 7);
  EXPECT_GT(key, "a");
  EXPECT_LT(key, "b");
  EXPECT_EQ(key.front(), 'a');
  EXPECT_TRUE(IsValidKey(key));
}

TEST(FractionalIndex, BetweenAKeyAndItsExtension) {
  // Nothing of one digit fits between "V" and "V1"; a longer key does.
  const std::string key = KeyBetween("V", "V1", 3);
  EXPECT_GT(key, "V");
  EXPECT_LT(key, "V1");
  EXPECT_TRUE(IsValidKey(key));
}

RC_GTEST_PROP(FractionalIndex, RandomInsertionsStayStrictlyOrderedAndShort, ()) {
  // Insert at random places into a growing list of keys; each new key must
  // fall strictly between its neighbours, so the list stays sorted.
  std::vector<std::string> keys;
  const int count = *rc::gen::inRange(1, 400);
  for (int k = 0; k < count; ++k) {
    const size_t at = *rc::gen::inRange<size_t>(0, keys.size() + 1);
    const std::string low = at == 0 ? "" : keys[at - 1];
    const std::string high = at == keys.size() ? "" : keys[at];
    const std::string key = KeyBetween(low, high, *rc::gen::arbitrary<uint64_t>());
    RC_ASSERT(IsValidKey(key));
    if (!low.empty()) RC_ASSERT(low < key);
    if (!high.empty()) RC_ASSERT(key < high);
    keys.insert(keys.begin() + static_cast<long>(at), key);
  }
  RC_ASSERT(std::is_sorted(keys.begin(), keys.end()));
  RC_ASSERT(std::adjacent_find(keys.begin(), keys.end()) == keys.end());
  size_t longest = 0;
  for (const std::string& key : keys) longest = std::max(longest, key.size());
  // Random insertion lengthens keys about one digit per halving of a gap:
  // well under 40 digits for 400 keys.
  RC_ASSERT(longest <= 40u);
}

// Longest key of a run of `count` inserts, each placed by `next` from the
// previous one; every key must be valid and ordered as `next` promises.
template <typename Next>
size_t LongestOfRun(std::string key, int count, Next next) {
  size_t longest = key.size();
  for (int k = 0; k < count; ++k) {
    key = next(key, static_cast<uint64_t>(k) * 0x9E3779B97F4A7C15ULL);
    EXPECT_TRUE(IsValidKey(key)) << key;
    longest = std::max(longest, key.size());
  }
  return longest;
}

TEST(FractionalIndex, RunsOfAppendsAndPrependsGrowLogarithmically) {
  // 100,000 paragraphs appended in order (a trace that only ever presses
  // Enter at the end): the key is about 2 log62(n) + 1 digits plus three of
  // jitter, 8 when measured, far under the LWW wire's 512-byte bound.
  const size_t appended = LongestOfRun(KeyBetween("", "", 1), 100'000, [](const std::string& last, uint64_t j) {
    std::string next = KeyBetween(last, "", j);
    EXPECT_LT(last, next);
    return next;
  });
  EXPECT_LE(appended, 8u);
  const size_t prepended = LongestOfRun(KeyBetween("", "", 2), 100'000, [](const std::string& first, uint64_t j) {
    std::string next = KeyBetween("", first, j);
    EXPECT_LT(next, first);
    return next;
  });
  EXPECT_LE(prepended, 8u);
}

TEST(FractionalIndex, InsertsOneAfterAnotherBeforeAFixedKeyGrowLogarithmically) {
  // Pressing Enter again and again in the middle of a document: each new
  // key goes after the previous new one and before the same old neighbour.
  const std::string after = "b";
  const size_t longest = LongestOfRun("a", 100'000, [&](const std::string& last, uint64_t j) {
    std::string next = KeyBetween(last, after, j);
    EXPECT_LT(last, next);
    EXPECT_LT(next, after);
    return next;
  });
  EXPECT_LE(longest, 9u);
  // And the mirror: each new key before the previous new one, after "a".
  const size_t mirrored = LongestOfRun("b", 100'000, [](const std::string& first, uint64_t j) {
    std::string next = KeyBetween("a", first, j);
    EXPECT_LT("a", next);
    EXPECT_LT(next, first);
    return next;
  });
  EXPECT_LE(mirrored, 9u);
}

TEST(FractionalIndex, ConcurrentInsertsAtOneSpotRarelyCollide) {
  // 1,000 writers each put a key between the same two neighbours, with the
  // jitter their intent ids give them: few, if any, pick the same key.
  std::vector<std::string> keys;
  for (uint32_t writer = 1; writer <= 1000; ++writer) keys.push_back(KeyBetween("a", "c", JitterFor(writer, 1, 1)));
  std::sort(keys.begin(), keys.end());
  const auto duplicates = keys.size() - static_cast<size_t>(std::unique(keys.begin(), keys.end()) - keys.begin());
  EXPECT_LE(duplicates, 5u);
}

TEST(FractionalIndex, JitterIsAFixedFunction) {
  // The same writer identity gives the same key on every machine, build
  // and run: pinned values, so a change to either function shows here.
  EXPECT_EQ(JitterFor(1, 2, 3), 0x640cb91097b589a9ULL);
  EXPECT_EQ(KeyBetween("1", "", JitterFor(3, 17, 1)), "21MJ");
  EXPECT_NE(JitterFor(1, 2, 3), JitterFor(1, 2, 4));
}

}  // namespace
}  // namespace collabsim

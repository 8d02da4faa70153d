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

TEST(FractionalIndex, AppendsAndPrependsGrowSlowly) {
  std::string last = KeyBetween("", "", 1);
  for (uint64_t k = 0; k < 3000; ++k) {
    const std::string next = KeyBetween(last, "", k);
    ASSERT_LT(last, next);
    last = next;
  }
  // A digit about every 25-30 appends (steps of 1-3 over 61 digits), plus
  // the jitter digits: 108 digits after 3,000 appends when measured.
  EXPECT_LE(last.size(), 3000u / 25 + 4);
  std::string first = KeyBetween("", "", 2);
  for (uint64_t k = 0; k < 3000; ++k) {
    const std::string next = KeyBetween("", first, k);
    ASSERT_LT(next, first);
    ASSERT_TRUE(IsValidKey(next));
    first = next;
  }
  EXPECT_LE(first.size(), 3000u / 25 + 4);
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

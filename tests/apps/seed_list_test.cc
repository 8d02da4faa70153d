// Seed selections: ranges, lists, and clear errors.
#include "apps/seed_list.h"

#include <gtest/gtest.h>

namespace collabsim::apps {
namespace {

TEST(SeedList, ParsesRangesAndLists) {
  EXPECT_EQ(*ParseSeedList("7"), (std::vector<uint64_t>{7}));
  EXPECT_EQ(*ParseSeedList("1-3"), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(*ParseSeedList("1,5,9-10"), (std::vector<uint64_t>{1, 5, 9, 10}));
}

TEST(SeedList, RejectsMalformedInput) {
  for (const char* bad : {"", "x", "3-1", "1,,2", "-4", "1-", "1-2-3", "1 ,2", "0-99999999999"}) {
    EXPECT_FALSE(ParseSeedList(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace collabsim::apps

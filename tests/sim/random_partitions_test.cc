// Random partitions: drawn from the seed alone, inside the active phase,
// valid users, about as many as the mean interval implies, and both
// directions when one-way cuts are asked for.
#include "sim/random_partitions.h"

#include <gtest/gtest.h>

#include <set>

#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "sim/scenario_loader.h"

namespace collabsim::sim {
namespace {

scenario::Scenario WithRandomPartitions(double one_way_fraction) {
  scenario::Scenario s = *LoadScenario("team");  // 5 users, 600 s
  s.clear_partitions();
  auto* r = s.mutable_random_partitions();
  r->set_mean_interval_s(6);
  r->mutable_duration()->mutable_uniform()->set_min_ms(1000);
  r->mutable_duration()->mutable_uniform()->set_max_ms(30000);
  r->set_max_users(3);
  r->set_one_way_fraction(one_way_fraction);
  r->set_detect_after_s(10);
  return s;
}

TEST(RandomPartitions, DrawnInsideTheActivePhaseWithKnownUsers) {
  scenario::Scenario s = WithRandomPartitions(0.5);
  const int added = ExpandRandomPartitions(7, &s);
  // 600 s / 6 s = 100 expected; a Poisson count that far off is ~1e-9.
  EXPECT_GT(added, 50);
  EXPECT_LT(added, 150);
  ASSERT_EQ(s.partitions_size(), added);
  std::set<scenario::Partition::Direction> directions;
  double previous = 0;
  for (const auto& p : s.partitions()) {
    EXPECT_GE(p.at_s(), previous);
    EXPECT_LT(p.at_s(), s.active_s());
    previous = p.at_s();
    EXPECT_GE(p.duration_s(), 1.0);
    EXPECT_LE(p.duration_s(), 30.0);
    ASSERT_GE(p.users_size(), 1);
    ASSERT_LE(p.users_size(), 3);
    for (int k = 0; k < p.users_size(); ++k) {
      EXPECT_GE(p.users(k), 1u);
      EXPECT_LE(p.users(k), 5u);
      if (k > 0) {
        EXPECT_LT(p.users(k - 1), p.users(k));
      }
    }
    directions.insert(p.direction());
  }
  EXPECT_EQ(directions.size(), 3u);
  // The expanded scenario is itself valid.
  std::string text;
  ASSERT_TRUE(google::protobuf::TextFormat::PrintToString(s, &text));
  EXPECT_TRUE(ParseScenario(text, "expanded").ok());
}

TEST(RandomPartitions, AFunctionOfTheSeed) {
  scenario::Scenario a = WithRandomPartitions(0.5), b = WithRandomPartitions(0.5), c = WithRandomPartitions(0.5);
  ExpandRandomPartitions(3, &a);
  ExpandRandomPartitions(3, &b);
  ExpandRandomPartitions(4, &c);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(a, b));
  EXPECT_FALSE(google::protobuf::util::MessageDifferencer::Equals(a, c));
}

TEST(RandomPartitions, NoOneWayCutsUnlessAskedFor) {
  scenario::Scenario s = WithRandomPartitions(0);
  ASSERT_GT(ExpandRandomPartitions(11, &s), 0);
  for (const auto& p : s.partitions()) EXPECT_EQ(p.direction(), scenario::Partition::BOTH);
}

TEST(RandomPartitions, ScenarioWithoutThemIsUntouched) {
  scenario::Scenario s = *LoadScenario("partition-heal");
  const scenario::Scenario before = s;
  EXPECT_EQ(ExpandRandomPartitions(1, &s), 0);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(s, before));
}

TEST(DrawUsers, DistinctSortedAndInRange) {
  Prng prng = Prng::ForStream(1, 2);
  for (uint32_t count = 1; count <= 10; ++count) {
    const std::vector<uint32_t> users = DrawUsers(prng, 10, count);
    ASSERT_EQ(users.size(), count);
    for (size_t k = 0; k < users.size(); ++k) {
      EXPECT_GE(users[k], 1u);
      EXPECT_LE(users[k], 10u);
      if (k > 0) {
        EXPECT_LT(users[k - 1], users[k]);
      }
    }
  }
}

}  // namespace
}  // namespace collabsim::sim

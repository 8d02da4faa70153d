// Events run in (time, insertion order), never by address or hash.
#include "sim/event_queue.h"

#include <gtest/gtest.h>

#include <string>

namespace collabsim::sim {
namespace {

TEST(EventQueue, OrdersByTimeThenInsertion) {
  EventQueue<std::string> queue;
  const SimTime t = queue.now();
  queue.Schedule(t + 5, "late");
  queue.Schedule(t + 1, "first-at-1");
  queue.Schedule(t + 1, "second-at-1");
  queue.Schedule(t + 1, "third-at-1");
  queue.Schedule(t, "now");
  std::vector<std::string> order;
  while (!queue.empty()) order.push_back(queue.Pop().event);
  EXPECT_EQ(order, (std::vector<std::string>{"now", "first-at-1", "second-at-1", "third-at-1", "late"}));
  EXPECT_EQ(queue.now(), t + 5);
}

TEST(EventQueue, TimeStartsAboveZero) { EXPECT_GT(EventQueue<int>().now(), 0); }

TEST(EventQueueDeathTest, RefusesToScheduleIntoThePast) {
  EventQueue<int> queue;
  queue.Schedule(queue.now() + 10, 1);
  queue.Pop();
  EXPECT_DEATH(queue.Schedule(queue.now() - 1, 2), "invariant failed");
}

}  // namespace
}  // namespace collabsim::sim

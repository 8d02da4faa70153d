// Links keep per-direction FIFO order even when sampled delays would reorder
// messages, and drops start a new epoch.
#include "sim/network.h"

#include <gtest/gtest.h>

namespace collabsim::sim {
namespace {

scenario::Delay Wild() {
  scenario::Delay delay;
  delay.mutable_uniform()->set_min_ms(1);
  delay.mutable_uniform()->set_max_ms(500);
  return delay;
}

TEST(Network, DeliveriesOnOneDirectionNeverOvertake) {
  Network network({DelayModel(Wild()), DelayModel(Wild())}, 9);
  network.Connect(1);
  SimTime last = 0;
  for (int k = 0; k < 1000; ++k) {
    const SimTime arrival = network.Arrival(1, true, kSimStart + k * kMillisecond);
    EXPECT_GE(arrival, last);
    last = arrival;
  }
}

TEST(Network, DropBumpsEpochAndReconnectStartsFresh) {
  Network network({DelayModel(Wild())}, 9);
  network.Connect(1);
  const uint64_t first = network.Epoch(1);
  network.Drop(1);
  EXPECT_FALSE(network.IsUp(1));
  EXPECT_NE(network.Epoch(1), first);
  network.Connect(1);
  EXPECT_TRUE(network.IsUp(1));
  EXPECT_GT(network.Epoch(1), first + 1);
}

TEST(Network, SameSeedSameDelays) {
  Network a({DelayModel(Wild())}, 5), b({DelayModel(Wild())}, 5);
  a.Connect(1);
  b.Connect(1);
  for (int k = 0; k < 100; ++k) {
    EXPECT_EQ(a.Arrival(1, k % 2 == 0, kSimStart + k), b.Arrival(1, k % 2 == 0, kSimStart + k));
  }
}

}  // namespace
}  // namespace collabsim::sim

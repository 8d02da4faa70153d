// Links keep per-direction FIFO order even when sampled delays would reorder
// messages, drops start a new epoch, bandwidth queues messages, and delay
// mixtures draw their components in proportion to the weights.
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

scenario::Delay Constant(double ms) {
  scenario::Delay delay;
  delay.set_constant_ms(ms);
  return delay;
}

Network::LinkModel Link(const scenario::Delay& delay, double kbps = 0) { return {DelayModel(delay), kbps}; }

TEST(Network, DeliveriesOnOneDirectionNeverOvertake) {
  Network network({Link(Wild()), Link(Wild())}, 9);
  network.Connect(1);
  SimTime last = 0;
  for (int k = 0; k < 1000; ++k) {
    const SimTime arrival = network.Arrival(1, true, kSimStart + k * kMillisecond, 100);
    EXPECT_GE(arrival, last);
    last = arrival;
  }
}

TEST(Network, DropBumpsEpochAndReconnectStartsFresh) {
  Network network({Link(Wild())}, 9);
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
  Network a({Link(Wild())}, 5), b({Link(Wild())}, 5);
  a.Connect(1);
  b.Connect(1);
  for (int k = 0; k < 100; ++k) {
    EXPECT_EQ(a.Arrival(1, k % 2 == 0, kSimStart + k, 10), b.Arrival(1, k % 2 == 0, kSimStart + k, 10));
  }
}

TEST(Network, BandwidthQueuesMessagesBehindEachOther) {
  // 80 kbit/s: a 1,000-byte message occupies the link for 100 ms.
  Network network({Link(Constant(10), 80)}, 1);
  network.Connect(1);
  EXPECT_EQ(network.Arrival(1, true, kSimStart, 1000), kSimStart + 110 * kMillisecond);
  EXPECT_EQ(network.Arrival(1, true, kSimStart, 1000), kSimStart + 210 * kMillisecond);
  // The other direction has its own capacity.
  EXPECT_EQ(network.Arrival(1, false, kSimStart, 1000), kSimStart + 110 * kMillisecond);
  // Once the link has drained, a message goes straight out.
  EXPECT_EQ(network.Arrival(1, true, kSimStart + kSecond, 500), kSimStart + kSecond + 60 * kMillisecond);
}

TEST(DelayModel, MixtureDrawsComponentsByWeight) {
  scenario::Delay delay;
  auto* fast = delay.mutable_mixture()->add_components();
  fast->set_weight(999);
  fast->mutable_delay()->set_constant_ms(5);
  auto* slow = delay.mutable_mixture()->add_components();
  slow->set_weight(1);
  slow->mutable_delay()->set_constant_ms(2000);
  const DelayModel model(delay);
  Prng prng(4);
  int slow_count = 0;
  for (int k = 0; k < 200000; ++k) {
    const SimTime t = model.Sample(prng);
    ASSERT_TRUE(t == 5 * kMillisecond || t == 2000 * kMillisecond);
    slow_count += t == 2000 * kMillisecond;
  }
  EXPECT_NEAR(slow_count, 200, 45);  // 0.1%
  EXPECT_EQ(model.Describe(), "mixture(99.9% constant 5ms, 0.1% constant 2000ms)");
}

}  // namespace
}  // namespace collabsim::sim

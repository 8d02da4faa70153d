// Links keep per-direction FIFO order even when sampled delays would reorder
// messages, drops start a new epoch, bandwidth queues messages, and delay
// mixtures draw their components in proportion to the weights.
#include "sim/network.h"
#include "sim/peer_links.h"

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

TEST(Network, PeerMessagesShareEachUsersUplinkAndDownlink) {
  // Users 1 and 3 at 80 kbit/s; user 2 unlimited. Latency 10 ms + 20 ms + 30 ms.
  Network network({Link(Constant(10), 80), Link(Constant(20)), Link(Constant(30), 80)}, 1);
  for (ReplicaId user = 1; user <= 3; ++user) network.Connect(user);
  // 1 -> 2: 100 ms on 1's uplink, then both latencies.
  EXPECT_EQ(network.PeerArrival(1, 2, kSimStart, 1000), kSimStart + 130 * kMillisecond);
  // 1 -> 3 queues behind it on 1's uplink (shared by every peer), then 3's
  // downlink takes 100 ms more.
  EXPECT_EQ(network.PeerArrival(1, 3, kSimStart, 1000), kSimStart + 340 * kMillisecond);
  // 2 -> 3 finds 3's downlink busy until 340 ms.
  EXPECT_EQ(network.PeerArrival(2, 3, kSimStart, 1000), kSimStart + 440 * kMillisecond);
}

TEST(PeerLinks, FifoPerDirectionAndEpochsPerLink) {
  Network network({Link(Wild()), Link(Wild()), Link(Wild())}, 3);
  for (ReplicaId user = 1; user <= 3; ++user) network.Connect(user);
  PeerLinks links;
  EXPECT_FALSE(links.IsUp(1, 2));
  links.Connect(2, 1);
  EXPECT_TRUE(links.IsUp(1, 2));
  EXPECT_FALSE(links.IsUp(1, 3));
  SimTime last_12 = 0, last_21 = 0;
  for (int k = 0; k < 500; ++k) {
    const SimTime a = links.Arrival(network, 1, 2, kSimStart + k * kMillisecond, 10);
    const SimTime b = links.Arrival(network, 2, 1, kSimStart + k * kMillisecond, 10);
    EXPECT_GE(a, last_12);
    EXPECT_GE(b, last_21);
    last_12 = a;
    last_21 = b;
  }
  const uint64_t epoch = links.Epoch(1, 2);
  links.Drop(1, 2);
  EXPECT_FALSE(links.IsUp(2, 1));
  links.Connect(1, 2);
  EXPECT_GT(links.Epoch(2, 1), epoch + 1);
  // A new connection starts its FIFO afresh.
  EXPECT_LT(links.Arrival(network, 1, 2, kSimStart, 10), last_12);
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

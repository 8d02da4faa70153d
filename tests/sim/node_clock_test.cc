// Node clocks: exact integer readings, skew and drift within the scenario's
// bounds, drawn from the seed alone, and absent when the scenario has none.
#include "sim/node_clock.h"

#include <gtest/gtest.h>

#include <set>

#include "sim/scenario_loader.h"

namespace collabsim::sim {
namespace {

TEST(NodeClock, SkewAndDriftAreExact) {
  const NodeClock clock(/*skew_ns=*/-5 * kMillisecond, /*drift_ppb=*/100'000);  // 100 ppm fast
  EXPECT_EQ(clock.Read(0), -5 * kMillisecond);
  // After 1000 s a 100 ppm clock has gained 100 ms.
  EXPECT_EQ(clock.Read(1000 * kSecond), 1000 * kSecond + 100 * kMillisecond - 5 * kMillisecond);
  // Three weeks and a large drift stay exact (128-bit intermediate).
  const NodeClock slow(0, -999'999'999);
  const SimTime weeks = 21LL * 24 * 3600 * kSecond;
  EXPECT_EQ(slow.Read(weeks), weeks - static_cast<int64_t>(static_cast<__int128>(weeks) * 999'999'999 / 1'000'000'000));
  EXPECT_GE(slow.Read(weeks), slow.Read(weeks - 1));
}

TEST(NodeClock, DrawnWithinBoundsFromTheSeed) {
  scenario::Scenario s = *LoadScenario("team");
  s.mutable_clocks()->set_max_skew_ms(2000);
  s.mutable_clocks()->set_max_drift_ppm(50);
  const std::vector<NodeClock> a = DrawClocks(s, 9, 5), b = DrawClocks(s, 9, 5), c = DrawClocks(s, 10, 5);
  ASSERT_EQ(a.size(), 6u);
  std::set<int64_t> skews;
  for (size_t k = 0; k < a.size(); ++k) {
    EXPECT_LE(std::abs(a[k].skew_ns()), 2000 * kMillisecond);
    EXPECT_LE(std::abs(a[k].drift_ppb()), 50'000);
    EXPECT_EQ(a[k].skew_ns(), b[k].skew_ns());
    EXPECT_EQ(a[k].drift_ppb(), b[k].drift_ppb());
    skews.insert(a[k].skew_ns());
  }
  EXPECT_EQ(skews.size(), a.size());  // every node its own clock
  EXPECT_NE(a[1].skew_ns(), c[1].skew_ns());
}

TEST(NodeClock, NoClocksMeansTrueTime) {
  for (const NodeClock& clock : DrawClocks(*LoadScenario("team"), 3, 5)) {
    EXPECT_EQ(clock.Read(123 * kSecond), 123 * kSecond);
  }
}

}  // namespace
}  // namespace collabsim::sim

// Latency summaries: nearest-rank percentiles, and a mean that stays right
// when weeks-long latencies add up past 64 bits.
#include "sim/latency_stats.h"

#include <gtest/gtest.h>

namespace collabsim::sim {
namespace {

TEST(LatencyStats, NearestRankPercentilesAndMean) {
  std::vector<SimTime> samples;
  for (int k = 100; k >= 1; --k) samples.push_back(k * kMillisecond);
  const results::LatencySummary s = SummariseLatency(&samples);
  EXPECT_EQ(s.samples(), 100u);
  EXPECT_DOUBLE_EQ(s.p50_ms(), 50);
  EXPECT_DOUBLE_EQ(s.p95_ms(), 95);
  EXPECT_DOUBLE_EQ(s.p99_ms(), 99);
  EXPECT_DOUBLE_EQ(s.max_ms(), 100);
  EXPECT_DOUBLE_EQ(s.mean_ms(), 50.5);
  ASSERT_EQ(s.quantiles_ms_size(), 101);
  EXPECT_DOUBLE_EQ(s.quantiles_ms(0), 1);
}

TEST(LatencyStats, MeanOfLongLatenciesDoesNotOverflow) {
  // 300,000 samples of about three weeks: the sum is ~5*10^20 ns.
  const SimTime three_weeks = SimTime{21} * 86400 * 1'000'000'000;
  std::vector<SimTime> samples(300'000, three_weeks);
  samples.back() = three_weeks + 300'000;  // nudges the mean up by exactly 1 ns
  const results::LatencySummary s = SummariseLatency(&samples);
  EXPECT_DOUBLE_EQ(s.mean_ms(), ToMilliseconds(three_weeks + 1));
}

}  // namespace
}  // namespace collabsim::sim

// The PRNG is part of the determinism contract: its outputs are pinned, so a
// change that would alter every seeded run on some machine fails here.
#include "sim/prng.h"

#include <gtest/gtest.h>

#include <set>

#include "sim/distributions.h"

namespace collabsim::sim {
namespace {

TEST(SplitMix64, MatchesReferenceOutput) {
  SplitMix64 mixer(0);
  EXPECT_EQ(mixer.Next(), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(mixer.Next(), 0x6E789E6AA1B965F4ULL);
  EXPECT_EQ(mixer.Next(), 0x06C45D188009454FULL);
}

TEST(Prng, OutputIsPinned) {
  Prng prng(42);
  const uint64_t first = prng.NextU64();
  const uint64_t second = prng.NextU64();
  Prng again(42);
  EXPECT_EQ(again.NextU64(), first);
  EXPECT_EQ(again.NextU64(), second);
  EXPECT_EQ(first, 0x15780B2E0C2EC716ULL);  // xoshiro256** seeded by SplitMix64(42)
}

TEST(Prng, StreamsDiffer) {
  std::set<uint64_t> firsts;
  for (uint64_t stream = 0; stream < 100; ++stream) firsts.insert(Prng::ForStream(7, stream).NextU64());
  EXPECT_EQ(firsts.size(), 100u);
}

TEST(Prng, UniformIntStaysInBoundsAndCoversThem) {
  Prng prng(1);
  std::vector<int> counts(7);
  for (int k = 0; k < 70000; ++k) {
    const uint64_t v = prng.UniformInt(7);
    ASSERT_LT(v, 7u);
    ++counts[v];
  }
  for (int c : counts) EXPECT_NEAR(c, 10000, 500);
  for (int k = 0; k < 1000; ++k) {
    const int64_t v = prng.UniformInRange(-3, 3);
    ASSERT_GE(v, -3);
    ASSERT_LE(v, 3);
  }
}

TEST(Distributions, MomentsMatch) {
  Prng prng(3);
  const int n = 200000;
  double sum_exp = 0, sum_norm = 0, sum_norm2 = 0, min_pareto = 1e9;
  std::vector<double> lognormal;
  for (int k = 0; k < n; ++k) {
    sum_exp += SampleExponential(prng, 2.0);
    const double z = SampleNormal(prng, 5.0, 2.0);
    sum_norm += z;
    sum_norm2 += z * z;
    min_pareto = std::min(min_pareto, SamplePareto(prng, 10.0, 2.5));
    lognormal.push_back(SampleLognormal(prng, 40.0, 0.5));
  }
  EXPECT_NEAR(sum_exp / n, 2.0, 0.03);
  const double mean = sum_norm / n;
  EXPECT_NEAR(mean, 5.0, 0.02);
  EXPECT_NEAR(sum_norm2 / n - mean * mean, 4.0, 0.06);
  EXPECT_GE(min_pareto, 10.0);
  std::nth_element(lognormal.begin(), lognormal.begin() + n / 2, lognormal.end());
  EXPECT_NEAR(lognormal[n / 2], 40.0, 0.5);  // the median parameter is the median
}

}  // namespace
}  // namespace collabsim::sim

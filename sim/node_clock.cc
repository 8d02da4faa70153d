// Clock readings use 128-bit intermediates: two months of nanoseconds times
// a drift in parts per billion overflows 64 bits.
#include "sim/node_clock.h"

#include <cmath>

#include "engines/common/check.h"

namespace collabsim::sim {
namespace {
constexpr uint64_t kClockStream = 0xC10C;
}  // namespace

NodeClock::NodeClock(int64_t skew_ns, int64_t drift_ppb) : skew_ns_(skew_ns), drift_ppb_(drift_ppb) {
  COLLABSIM_CHECK(drift_ppb > -1'000'000'000 && drift_ppb < 1'000'000'000);
}

int64_t NodeClock::Read(SimTime t) const {
  const __int128 stretch = static_cast<__int128>(t) * drift_ppb_ / 1'000'000'000;
  return static_cast<int64_t>(static_cast<__int128>(t) + skew_ns_ + stretch);
}

std::vector<NodeClock> DrawClocks(const scenario::Scenario& scenario, uint64_t seed, uint32_t users) {
  std::vector<NodeClock> clocks(users + 1);
  if (!scenario.has_clocks()) return clocks;
  Prng prng = Prng::ForStream(seed, kClockStream);
  const auto max_skew_ns = static_cast<int64_t>(std::llround(scenario.clocks().max_skew_ms() * 1e6));
  const auto max_drift_ppb = static_cast<int64_t>(std::llround(scenario.clocks().max_drift_ppm() * 1e3));
  for (NodeClock& clock : clocks) {
    const int64_t skew = prng.UniformInRange(-max_skew_ns, max_skew_ns);
    const int64_t drift = prng.UniformInRange(-max_drift_ppb, max_drift_ppb);
    clock = NodeClock(skew, drift);
  }
  return clocks;
}

}  // namespace collabsim::sim

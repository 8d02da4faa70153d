// Each node's own clock: the true simulated time shifted by a fixed skew and
// stretched by a drift rate, as a quartz clock that was set wrong and runs
// fast or slow. Engines that read a clock (LWW by wall clock) see this, never
// the true time; the simulator itself orders events by true time only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scenario.pb.h"
#include "sim/prng.h"
#include "sim/sim_time.h"

namespace collabsim::sim {

class NodeClock {
 public:
  NodeClock() = default;
  // REQUIRES: |drift_ppb| < 1e9 (a clock never runs backwards).
  NodeClock(int64_t skew_ns, int64_t drift_ppb);

  // The reading at true time `t`: t + skew + t * drift (integer arithmetic,
  // the same on every machine). Non-decreasing in t.
  int64_t Read(SimTime t) const;

  int64_t skew_ns() const { return skew_ns_; }
  int64_t drift_ppb() const { return drift_ppb_; }

 private:
  int64_t skew_ns_ = 0;
  int64_t drift_ppb_ = 0;
};

// Clocks for nodes 0 (server) .. users, drawn from the seed: skew uniform in
// [-max_skew_ms, max_skew_ms], drift uniform in [-max_drift_ppm,
// max_drift_ppm]. All exact when the scenario has no `clocks`.
std::vector<NodeClock> DrawClocks(const scenario::Scenario& scenario, uint64_t seed, uint32_t users);

}  // namespace collabsim::sim

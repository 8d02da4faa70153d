// Turns a scenario Delay (constant, uniform, normal, lognormal, Pareto, plus
// jitter) into integer-nanosecond samples. Negative draws clamp to zero.
#pragma once

#include <string>
#include <vector>

#include "scenario.pb.h"
#include "sim/prng.h"
#include "sim/sim_time.h"

namespace collabsim::sim {

class DelayModel {
 public:
  // REQUIRES: `delay` passed scenario validation.
  explicit DelayModel(const scenario::Delay& delay);
  SimTime Sample(Prng& prng) const;
  // E.g. "lognormal(median 75ms, sigma 0.3) + jitter U[0, 10ms]".
  std::string Describe() const;

 private:
  double SampleMilliseconds(Prng& prng) const;

  scenario::Delay delay_;
  // For a mixture: each component and the running sum of weights.
  std::vector<DelayModel> components_;
  std::vector<double> cumulative_weights_;
};

}  // namespace collabsim::sim

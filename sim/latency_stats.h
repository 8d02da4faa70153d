// Percentiles of a set of latency samples (nearest-rank, so every reported
// value is one that was observed).
#pragma once

#include <vector>

#include "results.pb.h"
#include "sim/sim_time.h"

namespace collabsim::sim {

// Sorts `samples` in place.
results::LatencySummary SummariseLatency(std::vector<SimTime>* samples);

}  // namespace collabsim::sim

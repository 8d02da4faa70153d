// A run's memory over time: the server's bytes by category and the largest
// client's, sampled now and then and at the end, with the peaks. Sampling
// observes only; it is not part of the trace hash.
#pragma once

#include <vector>

#include "engines/common/replica.h"
#include "results.pb.h"
#include "sim/sim_time.h"
#include "sim/user_state.h"

namespace collabsim::sim {

// Appends a sample at `now` to result's memory_samples and folds it into
// its peaks. `server` is null in a mesh.
void RecordMemorySample(const Replica* server, const std::vector<UserState>& users, SimTime now,
                        results::RunResult* result);

}  // namespace collabsim::sim

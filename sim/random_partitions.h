// Turns a scenario's `random_partitions` into explicit partitions drawn from
// the seed, so the world runs them exactly like scheduled ones (and a run's
// setup line can list them).
#pragma once

#include <cstdint>
#include <vector>

#include "scenario.pb.h"
#include "sim/prng.h"

namespace collabsim::sim {

// `count` distinct users from 1..users, in increasing order.
// REQUIRES: 1 <= count <= users.
std::vector<uint32_t> DrawUsers(Prng& prng, uint32_t users, uint32_t count);

// Appends the partitions that `random_partitions` draws for `seed` to
// `scenario->partitions` and returns how many it added. REQUIRES: the
// scenario passed validation.
int ExpandRandomPartitions(uint64_t seed, scenario::Scenario* scenario);

}  // namespace collabsim::sim

// Swarm testing (FoundationDB's BUGGIFY, TigerBeetle's VOPR): each seed also
// draws which extra faults are switched on and how hard, on top of the
// scenario, so a sweep over seeds explores fault combinations no one wrote
// down. Faults are only added, never removed, so a scenario's own faults and
// required probes keep their meaning. Its service levels (`expect`) are
// dropped: they were written for the scenario's faults, not for the drawn
// ones, and swarm runs judge correctness.
//
// Determinism: draws from its own Prng stream of the seed; nothing else.
#pragma once

#include <cstdint>
#include <string>

#include "scenario.pb.h"

namespace collabsim::sim {

struct SwarmDraw {
  scenario::Scenario scenario;
  std::string summary;  // what was switched on, e.g. "latency-tail drops partition(TO_SERVER)"
};

// REQUIRES: `base` passed validation. The result passes validation too.
SwarmDraw ApplySwarm(const scenario::Scenario& base, uint64_t seed);

}  // namespace collabsim::sim

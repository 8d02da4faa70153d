// What a run's setup line says of its scenario: every seed-independent
// option that shapes a run (groups and links, workload, faults, bounds), on
// one line, so two results can be told apart by reading them.
#pragma once

#include <string>

#include "scenario.pb.h"

namespace collabsim::sim {

// The seed-independent options that shape a run of `scenario` (links,
// typing, faults, bounds), on one line.
std::string ScenarioParameters(const scenario::Scenario& scenario);

}  // namespace collabsim::sim

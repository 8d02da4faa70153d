// The checks every `Delay` of a scenario gets (link latencies, reconnect
// delays, fault durations): one shape, each parameter in its range, and a
// mixture's components plain delays with positive weights.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "sim/scenario_fields.h"

namespace collabsim::sim {

// The `Delay` sub-message `field` of `holder`; errors name `what` (its
// path, e.g. "groups.link.latency") and the line of the bad value.
absl::Status ValidateDelay(const FieldPlace& holder, const std::string& field, const std::string& what,
                           bool allow_mixture = true);

}  // namespace collabsim::sim

// The checks a scenario's `expect { ... }` blocks get at load time: known
// engines and probes, every bound a finite number >= 0 (a share at most 1),
// presence figures only with a presence channel, and no empty block.
#pragma once

#include "absl/status/status.h"
#include "scenario.pb.h"
#include "sim/scenario_fields.h"

namespace collabsim::sim {

// `scenario` is the place of the Scenario message itself.
absl::Status ValidateExpectations(const FieldPlace& scenario, const scenario::Scenario& s);

}  // namespace collabsim::sim

// Every engine collabsim ships, by name. Apps and the simulator look engines
// up here; adding an engine means adding one line to registry.cc.
#pragma once

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engines/common/engine.h"

namespace collabsim {

// All engines, in a fixed order (the order of every listing and report).
const std::vector<const Engine*>& AllEngines();
// The engines a default comparison runs: all but negative controls,
// variants and the ideal reference.
std::vector<const Engine*> ComparedEngines();
// The ideal reference (engines/ideal), which a default comparison runs
// beside them as the floor they are held against.
const Engine& IdealReference();

// NotFound with the list of known names when `name` is unknown.
absl::StatusOr<const Engine*> FindEngine(std::string_view name);

}  // namespace collabsim

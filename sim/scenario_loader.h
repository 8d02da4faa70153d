// Loads a scenario from a built-in name, a .textproto or a .json path and validates
// it. Every error names the source (file or builtin:NAME), the line and
// column, and the field, and says what was expected.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "scenario.pb.h"
#include "sim/scenario_limits.h"

namespace collabsim::sim {

// Parses text format (or JSON, see scenario_json.h) and validates. `source`
// is used in error messages.
absl::StatusOr<scenario::Scenario> ParseScenario(std::string_view text, std::string_view source);

// A built-in name (see `collabsim list`) or a path to a .textproto or .json file.
absl::StatusOr<scenario::Scenario> LoadScenario(std::string_view name_or_path);

}  // namespace collabsim::sim

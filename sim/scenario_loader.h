// Loads a scenario from a built-in name, a .textproto or a .json path and validates
// it. Every error names the source (file or builtin:NAME), the line and
// column, and the field, and says what was expected.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "scenario.pb.h"

namespace collabsim::sim {

// Documented limits, enforced by validation.
inline constexpr uint32_t kMaxUsers = 10000;
inline constexpr double kMaxActiveSeconds = 60.0 * 24 * 3600;  // 60 days
inline constexpr double kMaxDelayMs = 24.0 * 3600 * 1000;      // one day
// Shortest mean pause between bursts of a workload: keeps the number of
// events a run schedules bounded whatever the other settings.
inline constexpr double kMinPauseSeconds = 0.01;
inline constexpr size_t kMaxNameBytes = 100;

// Parses text format (or JSON, see scenario_json.h) and validates. `source`
// is used in error messages.
absl::StatusOr<scenario::Scenario> ParseScenario(std::string_view text, std::string_view source);

// A built-in name (see `collabsim list`) or a path to a .textproto or .json file.
absl::StatusOr<scenario::Scenario> LoadScenario(std::string_view name_or_path);

// Total users over all groups.
uint32_t UserCount(const scenario::Scenario& scenario);

// Whether `user` (1-based) is in a read-only group: a viewer who never edits.
bool IsReadOnly(const scenario::Scenario& scenario, uint32_t user);

}  // namespace collabsim::sim

// What every part that reads a scenario needs beside the loader: the
// documented limits validation enforces, and who the users are.
#pragma once

#include <cstddef>
#include <cstdint>

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

// Total users over all groups.
uint32_t UserCount(const scenario::Scenario& scenario);

// Whether `user` (1-based) is in a read-only group: a viewer who never edits.
bool IsReadOnly(const scenario::Scenario& scenario, uint32_t user);

}  // namespace collabsim::sim

// Virtual time: integer nanoseconds since the start of a run. Runs start at
// kSimStart (above zero, so "time zero" bugs cannot hide). Nothing in sim/
// or engines/ reads a wall clock.
#pragma once

#include <cmath>
#include <cstdint>

namespace collabsim::sim {

using SimTime = int64_t;  // nanoseconds

inline constexpr SimTime kNanosecond = 1;
inline constexpr SimTime kMicrosecond = 1000;
inline constexpr SimTime kMillisecond = 1000 * kMicrosecond;
inline constexpr SimTime kSecond = 1000 * kMillisecond;
inline constexpr SimTime kSimStart = kSecond;

// Rounds to the nearest nanosecond. REQUIRES: finite, within +-292 years.
inline SimTime FromMilliseconds(double ms) { return static_cast<SimTime>(std::llround(ms * 1e6)); }
inline SimTime FromSeconds(double s) { return static_cast<SimTime>(std::llround(s * 1e9)); }
inline double ToMilliseconds(SimTime t) { return static_cast<double>(t) / 1e6; }
inline double ToSeconds(SimTime t) { return static_cast<double>(t) / 1e9; }

}  // namespace collabsim::sim

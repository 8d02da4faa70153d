// Wall-clock milliseconds for `collabsim trace`, which times this process
// on purpose (how long a replay or a merge takes is what it reports). The
// simulator never reads a clock; only the trace replays include this.
#pragma once

#include <chrono>

namespace collabsim::apps {

using WallClock = std::chrono::steady_clock;

inline double MsSince(WallClock::time_point start) {
  return std::chrono::duration<double, std::milli>(WallClock::now() - start).count();
}

}  // namespace collabsim::apps

// The server's bytes in one memory sample, every category summed: one
// definition for the run summary (sim/) and the reports' timelines.
// Header-only, so reports use it without linking the simulator.
#pragma once

#include <cstdint>

#include "results.pb.h"

namespace collabsim::sim {

inline uint64_t ServerBytes(const results::MemorySample& s) {
  return s.server_content_bytes() + s.server_metadata_bytes() + s.server_tombstone_bytes() +
         s.server_history_bytes() + s.server_buffered_bytes() + s.server_merge_bytes();
}

}  // namespace collabsim::sim

// The tags folded into the trace hash before each kind of thing that
// happens, so two different happenings never hash alike. Values are part of
// every recorded hash: never change one; a new kind takes a new value.
#pragma once

#include <cstdint>

namespace collabsim::sim {

enum TraceTag : uint64_t {
  kTraceTagIntent = 1,
  kTraceTagDeliver = 2,
  kTraceTagLost = 3,
  kTraceTagDrop = 4,
  kTraceTagConnect = 5,
  kTraceTagOffline = 6,
  kTraceTagHeal = 7,
  kTraceTagRefused = 8,
  kTraceTagStorm = 9,
  kTraceTagPartition = 10,
  kTraceTagServerCrash = 11,
  kTraceTagClientCrash = 12,
  kTraceTagPresence = 0x50524553,  // "PRES"
};

}  // namespace collabsim::sim

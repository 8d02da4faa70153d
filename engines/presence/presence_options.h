// The presence channel's timing and limits, shared by the client's throttle
// and the server's room. Times are nanoseconds on the node's own clock.
#pragma once

#include <cstdint>

namespace collabsim {

struct PresenceOptions {
  // A client sends at most one update per interval (20 per second), the
  // newest one: updates made in between are coalesced, never queued.
  int64_t client_interval_ns = 50'000'000;
  // The server sends what changed at most once per interval.
  int64_t broadcast_interval_ns = 50'000'000;
  // An entry with no update for this long is dropped (a client that went
  // away without a goodbye).
  int64_t ttl_ns = 30'000'000'000;
  // A client with nothing new resends its entry this long after its last
  // send, so an idle but present user does not expire.
  int64_t keepalive_ns = 10'000'000'000;
  // Updates a user may send per second, on average, and in a burst; the
  // server drops (and counts) the rest.
  uint32_t rate_per_s = 20;
  uint32_t burst = 20;
  // With more viewers (read-only members) than this, viewers receive the
  // presence list (who is here) but not live cursors.
  uint32_t viewers_with_cursors = 50;
};

}  // namespace collabsim

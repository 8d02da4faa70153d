// Peer-to-peer connections of a mesh run: one per overlay edge, up only
// while both users are online and no partition separates them. Like a
// client-server connection it is a FIFO byte stream in each direction, and
// a drop bumps its epoch so what was in transit is lost.
//
// Determinism: links are looked up by the (lower, higher) user pair and
// never walked, so the hash map's order decides nothing; arrival times
// come from Network, which draws from per-user streams.
#pragma once

#include <cstdint>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "engines/common/intent.h"
#include "sim/network.h"
#include "sim/sim_time.h"

namespace collabsim::sim {

class PeerLinks {
 public:
  bool IsUp(ReplicaId a, ReplicaId b) const;
  uint64_t Epoch(ReplicaId a, ReplicaId b) const;
  // REQUIRES: !IsUp(a, b).
  void Connect(ReplicaId a, ReplicaId b);
  // REQUIRES: IsUp(a, b).
  void Drop(ReplicaId a, ReplicaId b);
  // When a message sent now arrives: Network::PeerArrival, but never before
  // the previous message from `from` to `to` on this connection.
  // REQUIRES: IsUp(from, to).
  SimTime Arrival(Network& network, ReplicaId from, ReplicaId to, SimTime now, uint64_t wire_bytes);

 private:
  struct Link {
    bool up = false;
    uint64_t epoch = 0;
    SimTime last_arrival_up = 0;    // lower id -> higher id
    SimTime last_arrival_down = 0;  // higher id -> lower id
  };
  static std::pair<ReplicaId, ReplicaId> Key(ReplicaId a, ReplicaId b);

  absl::flat_hash_map<std::pair<ReplicaId, ReplicaId>, Link> links_;
};

}  // namespace collabsim::sim

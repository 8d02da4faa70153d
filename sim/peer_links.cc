// Mesh connections: state, epochs and FIFO arrival (see peer_links.h).
#include "sim/peer_links.h"

#include <algorithm>

#include "engines/common/check.h"

namespace collabsim::sim {

std::pair<ReplicaId, ReplicaId> PeerLinks::Key(ReplicaId a, ReplicaId b) {
  COLLABSIM_CHECK(a != b);
  return {std::min(a, b), std::max(a, b)};
}

bool PeerLinks::IsUp(ReplicaId a, ReplicaId b) const {
  auto it = links_.find(Key(a, b));
  return it != links_.end() && it->second.up;
}

uint64_t PeerLinks::Epoch(ReplicaId a, ReplicaId b) const {
  auto it = links_.find(Key(a, b));
  return it == links_.end() ? 0 : it->second.epoch;
}

void PeerLinks::Connect(ReplicaId a, ReplicaId b) {
  Link& link = links_[Key(a, b)];
  COLLABSIM_CHECK(!link.up);
  link.up = true;
  ++link.epoch;
  link.last_arrival_up = 0;
  link.last_arrival_down = 0;
}

void PeerLinks::Drop(ReplicaId a, ReplicaId b) {
  Link& link = links_.at(Key(a, b));
  COLLABSIM_CHECK(link.up);
  link.up = false;
  ++link.epoch;
}

SimTime PeerLinks::Arrival(Network& network, ReplicaId from, ReplicaId to, SimTime now, uint64_t wire_bytes) {
  Link& link = links_.at(Key(from, to));
  COLLABSIM_CHECK(link.up);
  SimTime& last = from < to ? link.last_arrival_up : link.last_arrival_down;
  last = std::max(network.PeerArrival(from, to, now, wire_bytes), last);
  return last;
}

}  // namespace collabsim::sim

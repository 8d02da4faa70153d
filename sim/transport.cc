// The link graph: access links, edges, arrival times and partitions (see
// transport.h).
#include "sim/transport.h"

#include <algorithm>

#include "engines/common/check.h"
#include "sim/mesh_overlay.h"

namespace collabsim::sim {

Transport::Transport(bool via_server, std::vector<Network::LinkModel> links, uint64_t seed)
    : via_server_(via_server), network_(std::move(links), seed) {
  if (via_server_) {
    neighbours_.assign(network_.user_count(), std::vector<ReplicaId>{kServerReplica});
    star_joined_.assign(network_.user_count(), false);
  } else {
    neighbours_ = MeshNeighbours(network_.user_count());
  }
}

const std::vector<ReplicaId>& Transport::Neighbours(ReplicaId user) const {
  COLLABSIM_CHECK(user >= 1 && user <= neighbours_.size());
  return neighbours_[user - 1];
}

ReplicaId Transport::StarUser(ReplicaId a, ReplicaId b) {
  COLLABSIM_CHECK((a == kServerReplica) != (b == kServerReplica));
  return a == kServerReplica ? b : a;
}

bool Transport::IsUp(ReplicaId a, ReplicaId b) const {
  return via_server_ ? network_.IsUp(StarUser(a, b)) : peer_links_.IsUp(a, b);
}

uint64_t Transport::Epoch(ReplicaId a, ReplicaId b) const {
  return via_server_ ? network_.Epoch(StarUser(a, b)) : peer_links_.Epoch(a, b);
}

Transport::EdgeChange Transport::Dial(ReplicaId a, ReplicaId b) {
  COLLABSIM_CHECK(Online(a) && Online(b));
  if (via_server_) {
    std::vector<bool>::reference joined = star_joined_.at(StarUser(a, b) - 1);
    if (joined) return EdgeChange::kNone;
    joined = true;
    return EdgeChange::kWithAccess;
  }
  if (peer_links_.IsUp(a, b)) return EdgeChange::kNone;
  peer_links_.Connect(a, b);
  return EdgeChange::kOwn;
}

Transport::EdgeChange Transport::Hangup(ReplicaId a, ReplicaId b) {
  if (via_server_) {
    std::vector<bool>::reference joined = star_joined_.at(StarUser(a, b) - 1);
    if (!joined) return EdgeChange::kNone;
    joined = false;
    return EdgeChange::kWithAccess;
  }
  if (!peer_links_.IsUp(a, b)) return EdgeChange::kNone;
  peer_links_.Drop(a, b);
  return EdgeChange::kOwn;
}

std::vector<ReplicaId> Transport::Joined(ReplicaId user) const {
  std::vector<ReplicaId> joined;
  for (ReplicaId peer : Neighbours(user)) {
    if (via_server_ ? star_joined_.at(user - 1) : peer_links_.IsUp(user, peer)) joined.push_back(peer);
  }
  return joined;
}

SimTime Transport::Arrival(ReplicaId from, ReplicaId to, SimTime now, uint64_t wire_bytes) {
  if (!via_server_) return peer_links_.Arrival(network_, from, to, now, wire_bytes);
  return network_.Arrival(StarUser(from, to), to == kServerReplica, now, wire_bytes);
}

void Transport::StartPartition(size_t index, const scenario::Partition& partition) {
  ActivePartition& active = partitions_[index];
  active.users.assign(partition.users().begin(), partition.users().end());
  std::sort(active.users.begin(), active.users.end());
  active.direction = partition.direction();
}

void Transport::EndPartition(size_t index) { partitions_.erase(index); }

bool Transport::IsCut(ReplicaId from, ReplicaId to) const {
  for (const auto& [index, p] : partitions_) {
    const bool from_inside = std::binary_search(p.users.begin(), p.users.end(), from);
    const bool to_inside = std::binary_search(p.users.begin(), p.users.end(), to);
    if (from_inside == to_inside) continue;
    switch (p.direction) {
      case scenario::Partition::TO_SERVER:
        if (from_inside) return true;
        break;
      case scenario::Partition::FROM_SERVER:
        if (to_inside) return true;
        break;
      default:
        return true;
    }
  }
  return false;
}

}  // namespace collabsim::sim

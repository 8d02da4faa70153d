// The links of a run as one graph keyed by edge. Each user has an access
// link (its network connection: online or not, with its latency and
// bandwidth). Edges join two nodes: a star around the server for
// client-server and relay engines (a user's one edge is its connection to
// the server, up exactly while it is online), or the mesh overlay between
// peers (each edge dialled on its own while both ends are online).
// Partitions are one predicate over edges, the same for both graphs: in a
// mesh, "the server" side of a partition is every peer outside it.
//
// Determinism: edges live in ordered maps, arrival times come from
// per-user Prng streams (Network), partitions are kept by index.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "engines/common/intent.h"
#include "scenario.pb.h"
#include "sim/network.h"
#include "sim/peer_links.h"
#include "sim/sim_time.h"

namespace collabsim::sim {

class Transport {
 public:
  // A star around the server (`via_server`), else the mesh overlay over
  // `links.size()` users. `links[u - 1]` is user u's access link.
  Transport(bool via_server, std::vector<Network::LinkModel> links, uint64_t seed);

  bool via_server() const { return via_server_; }
  uint32_t user_count() const { return network_.user_count(); }
  // Whom `user` has edges to: the server, or its overlay neighbours (ascending).
  const std::vector<ReplicaId>& Neighbours(ReplicaId user) const;

  // A user's access link: whether it is online, and its connection epoch.
  // The server is always reachable (its crashes are the run's business).
  bool Online(ReplicaId node) const { return node == kServerReplica || network_.IsUp(node); }
  uint64_t AccessEpoch(ReplicaId user) const { return network_.Epoch(user); }
  // REQUIRES: !Online(user). In a star this is also the edge to the server.
  void GoOnline(ReplicaId user) { network_.Connect(user); }
  // REQUIRES: Online(user). What was in transit on its access link is lost.
  void GoOffline(ReplicaId user) { network_.Drop(user); }

  // The edge between `a` and `b` (either order): whether a connection is
  // up on it, and its epoch (what is in transit is lost when it changes).
  bool IsUp(ReplicaId a, ReplicaId b) const;
  uint64_t Epoch(ReplicaId a, ReplicaId b) const;
  // How the engines at the ends of an edge were joined or parted.
  enum class EdgeChange {
    kNone,        // they already were
    kWithAccess,  // a star's edge: its user's access link carries it (up,
                  // down and lost with it), so it is not an event of its own
    kOwn,         // an edge of its own (the mesh's), dialled or hung up alone
  };
  // Joins the engines at a and b over their edge. REQUIRES: both online.
  EdgeChange Dial(ReplicaId a, ReplicaId b);
  // Parts them (whether or not the access link is still up).
  EdgeChange Hangup(ReplicaId a, ReplicaId b);
  // Whom `node`'s engine is joined to now, ascending.
  std::vector<ReplicaId> Joined(ReplicaId user) const;

  // When a message of `wire_bytes` sent now from `from` to `to` arrives:
  // FIFO per direction of the edge, after queueing and transmission on the
  // access links and a latency sample. REQUIRES: IsUp(from, to).
  SimTime Arrival(ReplicaId from, ReplicaId to, SimTime now, uint64_t wire_bytes);
  // Whether `from` masks its WebSocket frames to `to`: the side that
  // dialled does (a client to the server; the lower id between peers).
  bool Masks(ReplicaId from, ReplicaId to) const { return via_server_ ? to == kServerReplica : from < to; }

  // Partitions, by their index in the scenario. Overlapping ones add up.
  void StartPartition(size_t index, const scenario::Partition& partition);
  void EndPartition(size_t index);
  // Whether an active partition loses messages from `from` to `to`: one
  // end is inside it and the other outside, and it cuts that way (TO_SERVER
  // cuts what leaves the users inside, FROM_SERVER what reaches them).
  bool IsCut(ReplicaId from, ReplicaId to) const;
  bool IsCutEitherWay(ReplicaId a, ReplicaId b) const { return IsCut(a, b) || IsCut(b, a); }

 private:
  struct ActivePartition {
    std::vector<ReplicaId> users;  // sorted
    scenario::Partition::Direction direction;
  };
  // The user whose access link carries the star edge between a and b.
  static ReplicaId StarUser(ReplicaId a, ReplicaId b);

  bool via_server_;
  Network network_;
  PeerLinks peer_links_;
  std::vector<std::vector<ReplicaId>> neighbours_;  // by user - 1
  std::vector<bool> star_joined_;                   // by user - 1: joined to the server
  std::map<size_t, ActivePartition> partitions_;
};

}  // namespace collabsim::sim

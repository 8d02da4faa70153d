// Client <-> server connections as FIFO byte streams (a WebSocket over TCP):
// each message's arrival is drawn from the link's delay model but never
// before the previous message on the same direction of the same connection.
// A drop bumps the connection's epoch; messages of an older epoch are lost.
//
// Determinism: each connection draws from its own Prng stream.
#pragma once

#include <cstdint>
#include <vector>

#include "engines/common/intent.h"
#include "sim/delay_model.h"
#include "sim/prng.h"
#include "sim/sim_time.h"

namespace collabsim::sim {

class Network {
 public:
  struct LinkModel {
    DelayModel latency;
    double bandwidth_kbps = 0;  // per direction; 0 = unlimited
  };

  // `links[u - 1]` is user u's link. REQUIRES: links non-empty.
  Network(std::vector<LinkModel> links, uint64_t seed);

  uint32_t user_count() const { return static_cast<uint32_t>(connections_.size()); }
  bool IsUp(ReplicaId user) const { return At(user).up; }
  uint64_t Epoch(ReplicaId user) const { return At(user).epoch; }

  // REQUIRES: !IsUp(user). Opens a new connection (new epoch).
  void Connect(ReplicaId user);
  // REQUIRES: IsUp(user). Everything in transit on it is lost.
  void Drop(ReplicaId user);

  // When a message of `wire_bytes` sent now on user's connection arrives:
  // after the link is free, its transmission time, and a latency sample,
  // and never before the previous message in the same direction.
  // REQUIRES: IsUp(user).
  SimTime Arrival(ReplicaId user, bool to_server, SimTime now, uint64_t wire_bytes);

  // Peer to peer (mesh topology): when a message sent now from `from` to
  // `to` arrives, before the FIFO rule of their connection (PeerLinks). It
  // queues on the sender's uplink and the receiver's downlink (each user's
  // link has one of each, shared by all its peers) and takes a latency
  // sample of each user's link: the path runs from one access link through
  // the network's core, where a server would sit, to the other.
  // REQUIRES: IsUp(from), IsUp(to).
  SimTime PeerArrival(ReplicaId from, ReplicaId to, SimTime now, uint64_t wire_bytes);

 private:
  struct Direction {
    SimTime last_arrival = 0;
    SimTime free_at = 0;  // when the link finishes sending what is queued
  };
  struct Connection {
    LinkModel link;
    Prng prng;
    bool up = false;
    uint64_t epoch = 0;
    Direction to_server;
    Direction to_client;
  };
  // When the last of `wire_bytes` leaves `d`, queued behind what it holds.
  static SimTime Transmit(const LinkModel& link, Direction& d, SimTime ready, uint64_t wire_bytes);
  Connection& At(ReplicaId user);
  const Connection& At(ReplicaId user) const;

  std::vector<Connection> connections_;
};

}  // namespace collabsim::sim

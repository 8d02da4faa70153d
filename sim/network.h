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
  // `links[u - 1]` is user u's link. REQUIRES: links non-empty.
  Network(std::vector<DelayModel> links, uint64_t seed);

  uint32_t user_count() const { return static_cast<uint32_t>(connections_.size()); }
  bool IsUp(ReplicaId user) const { return At(user).up; }
  uint64_t Epoch(ReplicaId user) const { return At(user).epoch; }

  // REQUIRES: !IsUp(user). Opens a new connection (new epoch).
  void Connect(ReplicaId user);
  // REQUIRES: IsUp(user). Everything in transit on it is lost.
  void Drop(ReplicaId user);

  // When a message sent now on user's connection arrives.
  // REQUIRES: IsUp(user).
  SimTime Arrival(ReplicaId user, bool to_server, SimTime now);

 private:
  struct Connection {
    DelayModel link;
    Prng prng;
    bool up = false;
    uint64_t epoch = 0;
    SimTime last_arrival_to_server = 0;
    SimTime last_arrival_to_client = 0;
  };
  Connection& At(ReplicaId user);
  const Connection& At(ReplicaId user) const;

  std::vector<Connection> connections_;
};

}  // namespace collabsim::sim

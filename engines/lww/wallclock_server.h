// The server of lww-wallclock, the negative control: it has no say in
// order. A write replaces a register only if its writer's clock reading
// (then writer id) is larger, on the server as on every client, and
// nothing is refused: every write goes to the others, who compare stamps
// themselves. Wrong on purpose; the checkers must say so.
#pragma once

#include "engines/lww/lww_server.h"

namespace collabsim::lww {

class WallclockServer final : public LwwServer {
 public:
  using LwwServer::LwwServer;

 protected:
  bool OrderWrite(ReplicaId from, const Change& change, size_t k, Change* applied, wire::Ack* ack) override;
};

}  // namespace collabsim::lww

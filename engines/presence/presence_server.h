// The server's side of the presence channel: its room (presence_room.h)
// holds every member's entry, takes their updates and sends batches; the
// server's engine rewrites each cursor for clients up to date with it.
#pragma once

#include "engines/presence/presence_node.h"
#include "engines/presence/presence_options.h"
#include "engines/presence/presence_room.h"

namespace collabsim {

class PresenceServer final : public PresenceNode {
 public:
  explicit PresenceServer(const PresenceOptions& options) : room_(options) {}

  void LinkUp(ReplicaId member, bool reads_only, int64_t now) override { room_.Join(member, reads_only, now); }
  void LinkDown(ReplicaId member) override { room_.Leave(member); }
  PresenceOutput OnTimer(int64_t now, CaretAccess engine) override;
  PresenceOutput Receive(ReplicaId from, std::string_view bytes, int64_t now, CaretAccess engine) override;
  std::optional<int64_t> RelayDue() const override { return room_.NextDue(); }
  bool Pending() const override { return room_.BatchPending(); }
  bool ViewersSeeCursors() const override { return room_.ViewersSeeCursors(); }
  uint64_t dropped() const override { return room_.dropped(); }
  void CheckInvariants() const override { room_.CheckInvariants(); }

 private:
  PresenceRoom room_;
};

}  // namespace collabsim

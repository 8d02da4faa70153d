// A user of a mesh on the presence channel: its own throttle and roster
// (presence_user.h), and a gossip (presence_gossip.h) that keeps the newest
// entry of everyone it has heard of and passes it on to its neighbours.
#pragma once

#include <memory>
#include <set>

#include "engines/presence/presence_gossip.h"
#include "engines/presence/presence_user.h"

namespace collabsim {

class PresencePeer final : public PresenceUser {
 public:
  PresencePeer(PresenceEntry identity, const PresenceOptions& options);

  // A peer keeps what it heard until the TTL, across its own disconnects.
  void Crashed() override;
  void LinkUp(ReplicaId peer, bool peer_reads_only, int64_t now) override;
  void LinkDown(ReplicaId peer) override;
  PresenceOutput OnTimer(int64_t now, CaretAccess engine) override;
  PresenceOutput Receive(ReplicaId from, std::string_view bytes, int64_t now, CaretAccess engine) override;
  // Straight to every neighbour, skipping the gossip's batching too.
  PresenceOutput Flood(std::string viewport_last, int64_t now) override;
  std::optional<int64_t> RelayDue() const override { return gossip_->NextDue(); }
  bool Pending() const override { return throttle_.HasUnsent() || gossip_->BatchPending(); }
  uint64_t dropped() const override { return gossip_->dropped(); }
  void CheckInvariants() const override { gossip_->CheckInvariants(); }

 private:
  // Shows entries new here and adds them to the roster.
  void ShowFresh(std::vector<PresenceEntry> fresh, CaretFacet& carets, PresenceOutput* out);

  PresenceOptions options_;
  std::unique_ptr<PresenceGossip> gossip_;
  std::set<ReplicaId> links_;  // neighbours linked now
};

}  // namespace collabsim

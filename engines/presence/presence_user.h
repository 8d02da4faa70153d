// A user's side of the presence channel: its throttle (what its app sends,
// and when), its roster (who it sees in the document), and the cursor it
// last published. PresenceUser holds what every user has; PresenceClient
// is a user who reaches the others through a server's room (presence_peer.h
// is one who gossips with its neighbours).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engines/presence/presence_node.h"
#include "engines/presence/presence_options.h"
#include "engines/presence/presence_roster.h"
#include "engines/presence/presence_throttle.h"

namespace collabsim {

class PresenceUser : public PresenceNode {
 public:
  // `identity`: the user, its name and colour (no cursor).
  PresenceUser(PresenceEntry identity, const PresenceOptions& options);

  bool Publish(const EncodedSelection& selection) override;
  void Online() override { throttle_.Reconnected(); }
  void Offline(CaretAccess engine) override { throttle_.Disconnected(); }
  void Crashed() override;
  bool Sees(ReplicaId owner) const override { return roster_.entries().contains(owner); }
  std::optional<int64_t> OwnDue() const override { return throttle_.NextDue(); }
  uint64_t coalesced() const override { return throttle_.coalesced(); }

 protected:
  // The user's entry with its last published cursor.
  PresenceEntry Entry() const;
  // A batch from `from` as this user decodes it; nullopt (and an error in
  // `out`) when it cannot.
  std::optional<PresenceBatch> DecodeBatch(ReplicaId from, std::string_view bytes, PresenceOutput* out) const;
  // Shows (or hides, without a cursor) each entry's selection in the app.
  void Show(const std::vector<PresenceEntry>& entries, CaretFacet& carets, PresenceOutput* out) const;

  ReplicaId self() const { return identity_.user; }

  PresenceThrottle throttle_;
  PresenceRoster roster_;
  EncodedSelection published_;  // empty: nothing published yet

 private:
  PresenceEntry identity_;
};

class PresenceClient final : public PresenceUser {
 public:
  using PresenceUser::PresenceUser;

  // Through a server, the room is the roster: it goes with the connection.
  void Offline(CaretAccess engine) override;
  void LinkUp(ReplicaId peer, bool peer_reads_only, int64_t now) override {}
  void LinkDown(ReplicaId peer) override {}
  PresenceOutput OnTimer(int64_t now, CaretAccess engine) override;
  PresenceOutput Receive(ReplicaId from, std::string_view bytes, int64_t now, CaretAccess engine) override;
  PresenceOutput Flood(std::string viewport_last, int64_t now) override;
  bool Pending() const override { return throttle_.HasUnsent(); }
};

}  // namespace collabsim

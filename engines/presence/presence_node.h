// One participant of the presence channel, as whatever drives it sees it:
// a user's client (through a server), the server's room, or a peer of a
// mesh. Sans-IO like a Replica: the driver tells it the time, hands it what
// arrived and what happened to its links, and sends what it returns. The
// engine's caret facet places the cursors; nothing here knows an engine.
//
// A participant has two kinds of work on a clock: its own entry to send (a
// user's throttle: OwnDue) and what it passes on for the others (the room's
// batches, a peer's gossip: RelayDue). The driver calls OnTimer at (or
// after) the earlier of the two, NextDue; after a call that can only have
// changed one of them, it plans that one.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engines/common/caret_facet.h"
#include "engines/presence/presence_entry.h"
#include "engines/presence/presence_room.h"

namespace collabsim {

struct PresenceSend {
  enum class Kind {
    kUpdate,       // a client's own entry, to the server
    kRoomBatch,    // the server's batch, to one member
    kGossipBatch,  // a peer's batch, to one neighbour
  };
  ReplicaId to = 0;
  Kind kind = Kind::kUpdate;
  std::string bytes;  // presence_wire.proto, as the wire carries it
  // The entries a batch carries, as encoded in `bytes`, so the driver can
  // time the cursors in it; empty for an update or a flood. Never on the
  // wire.
  PresenceBatch content;
};

// What one call did.
struct PresenceOutput {
  std::vector<PresenceSend> sends;  // in send order
  // The user's own entry that its throttle let out in this call (peer to
  // peer: with the version the gossip gave it).
  std::optional<PresenceEntry> published;
  // Owners whose cursor this user's app was asked to show, one per entry,
  // in order (shown or not: an engine's refusal is in `errors`).
  std::vector<ReplicaId> shown;
  // Each a rejected message or a cursor the engine could not place.
  std::vector<std::string> errors;
  // Server: an update was let in and moved its user's cursor (Receive);
  // batches went out in this call, even if empty (OnTimer).
  bool moved = false;
  bool batched = false;
};

// The engine side a participant acts on: a client's caret facet, or a
// server's rewriting of positions. Either may be null.
struct CaretAccess {
  CaretFacet* carets = nullptr;
  const CaretRebase* rebase = nullptr;
};

class PresenceNode {
 public:
  virtual ~PresenceNode() = default;

  // The user's own selection as its engine encodes it now (users only).
  // True when it differs from the last one published: the throttle then
  // holds the new entry.
  virtual bool Publish(const EncodedSelection& selection) { return false; }
  // The user's app came online, or lost its connection (users only).
  virtual void Online() {}
  virtual void Offline(CaretAccess engine) {}
  // The app died: it forgets what it published and what it was shown.
  virtual void Crashed() {}
  // The link to `peer` (a member, the server, a neighbour) came up or went
  // down. `peer_reads_only`: a viewer who never edits.
  virtual void LinkUp(ReplicaId peer, bool peer_reads_only, int64_t now) = 0;
  virtual void LinkDown(ReplicaId peer) = 0;

  virtual PresenceOutput OnTimer(int64_t now, CaretAccess engine) = 0;
  virtual PresenceOutput Receive(ReplicaId from, std::string_view bytes, int64_t now, CaretAccess engine) = 0;
  // A misbehaving client's update that skips the throttle: the user's entry
  // with a viewport whose end is `viewport_last` (users only).
  virtual PresenceOutput Flood(std::string viewport_last, int64_t now) { return {}; }

  // When OnTimer next has work of each kind (may be in the past: at once).
  virtual std::optional<int64_t> OwnDue() const { return std::nullopt; }
  virtual std::optional<int64_t> RelayDue() const { return std::nullopt; }
  std::optional<int64_t> NextDue() const {
    const std::optional<int64_t> own = OwnDue(), relay = RelayDue();
    if (!own.has_value()) return relay;
    if (!relay.has_value()) return own;
    return std::min(*own, *relay);
  }
  // Whether something changed that has not been sent yet.
  virtual bool Pending() const = 0;

  // Whether this user's app has `owner` in the document (users only).
  virtual bool Sees(ReplicaId owner) const { return false; }
  // Server: whether its viewers currently receive cursors.
  virtual bool ViewersSeeCursors() const { return true; }
  // Updates replaced before they were sent, and entries dropped over a
  // rate; both cumulative over the node's life.
  virtual uint64_t coalesced() const { return 0; }
  virtual uint64_t dropped() const { return 0; }

  // Aborts when the bookkeeping is inconsistent.
  virtual void CheckInvariants() const {}
};

}  // namespace collabsim

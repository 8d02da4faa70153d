// The op interface every engine implements: a sans-IO replica state machine.
// A replica owns no socket, thread, clock or random source; the simulator (or
// a live transport) drives it, tells it the time on its own clock, and
// collects what it wants to send.
//
// Mapping to ARCHITECTURE.md: apply_local -> ApplyLocal, receive -> Receive,
// connected/disconnected -> Connected/Disconnected, view -> GetView,
// stats -> Stats.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "engines/common/caret_facet.h"
#include "engines/common/intent.h"
#include "engines/common/selection.h"

namespace collabsim {

struct OutgoingMessage {
  ReplicaId to = 0;
  std::string bytes;  // Protobuf-encoded; its size is what the wire carries.
  // Set only by the ideal reference (engines/ideal): what the wire is
  // charged instead, framing included (the edit's own size, or 0).
  std::optional<uint64_t> charged_bytes;
};

// What the user sees now.
struct View {
  std::string text;  // UTF-8
  // Cursor positions (code points) this replica knows, by owner: its own,
  // and the others' carets the presence channel showed it that it can
  // place in its text now (a selection's head).
  std::map<ReplicaId, uint64_t> cursors;
  // The canvas: every property of every object in the visible tree (the
  // objects whose parent chain reaches the root), `parent` included, by
  // object id. Empty for engines that edit text only.
  std::map<PropertyKey, PropertyValue> properties;
};

// Bytes held, by category, so memory figures compare across engines.
struct MemoryStats {
  uint64_t content_bytes = 0;
  uint64_t metadata_bytes = 0;
  uint64_t tombstone_bytes = 0;
  uint64_t history_bytes = 0;  // a server's log of every op
  // Ops held until they can be applied (a causal buffer waiting for
  // dependencies) or until they are acknowledged (a client's own unsent or
  // unacknowledged edits).
  uint64_t buffered_bytes = 0;
  // State that exists for merging concurrent edits only and is freed after
  // (Eg-walker's walk), held now; and the most a merge held so far, which
  // is not part of Total (it may have been freed).
  uint64_t merge_bytes = 0;
  uint64_t merge_peak_bytes = 0;
  uint64_t Total() const {
    return content_bytes + metadata_bytes + tombstone_bytes + history_bytes + buffered_bytes + merge_bytes;
  }
};

struct ReplicaStats {
  MemoryStats memory;
  // Local intents not yet acknowledged by the server (or peers).
  uint64_t pending_intents = 0;
  // Coverage probes hit (see probes.h), by name; ordered so sums and output
  // never depend on hash order.
  std::map<std::string, uint64_t, std::less<>> probes;
};

class Replica {
 public:
  virtual ~Replica() = default;

  ReplicaId id() const { return id_; }

  // The user did something. Applied to this replica's view at once. Invalid
  // intents (position past the end, bad UTF-8) return InvalidArgument and
  // change nothing.
  virtual absl::Status ApplyLocal(const Intent& intent) = 0;

  // A wire message arrived from `from`. Malformed or impossible messages
  // return an error and leave the replica exactly as it was. A message byte
  // for byte equal to the one accepted just before from the same peer on
  // the same connection is a retrying proxy's second delivery and is
  // ignored (messages carry revisions, ids or state vectors, so an engine
  // never sends the same bytes twice in a row on purpose).
  absl::Status Receive(ReplicaId from, std::string_view bytes);

  // Transport events. Reconnect logic (resend, catch-up) lives in the engine.
  void Connected(ReplicaId peer);
  void Disconnected(ReplicaId peer);

  virtual View GetView() const = 0;

  // Cheap reads of the same view for drivers that act on a long document
  // one word at a time (synthetic users): its length and a slice, in code
  // points, and this replica's own cursor. The defaults build the whole
  // view; engines override them with direct reads of their structure.
  virtual uint64_t TextLength() const;
  // Code points [from, from + count), clamped to the text; UTF-8.
  virtual std::string TextSlice(uint64_t from, uint64_t count) const;
  virtual uint64_t OwnCursor() const;
  virtual ReplicaStats Stats() const = 0;

  // The presence channel's view of this replica (engines/presence/): its
  // cursors, and how the engine encodes them. nullptr for engines without
  // presence, whose users then publish no cursor.
  virtual CaretFacet* carets() { return nullptr; }
  const CaretFacet* carets() const { return const_cast<Replica*>(this)->carets(); }
  // A server's rewriting of cursor positions; nullptr: relayed as they are.
  virtual const CaretRebase* caret_rebase() const { return nullptr; }

  // Messages produced since the last call, in send order.
  virtual std::vector<OutgoingMessage> TakeOutbox() = 0;

  // Remote intents that became visible in this replica's view since the last
  // call, in the order they became visible.
  virtual std::vector<IntentId> TakeNewlyVisible() = 0;

  // Aborts (COLLABSIM_CHECK) when an internal invariant is broken.
  virtual void CheckInvariants() const = 0;

  // What this replica has written to durable storage: a crash loses
  // everything else, and Engine::Restore* rebuilds a replica from it.
  virtual std::string DurableState() const = 0;

  // The node's own clock reading (nanoseconds), set by the driver before
  // each call above. It may be skewed and drift against other nodes'
  // clocks; engines that timestamp with a clock read it, others ignore it.
  void SetLocalTime(int64_t local_time_ns) { local_time_ns_ = local_time_ns; }
  int64_t local_time_ns() const { return local_time_ns_; }

 protected:
  explicit Replica(ReplicaId id) : id_(id) {}

 protected:
  // What Receive, Connected and Disconnected do in each engine.
  virtual absl::Status ReceiveMessage(ReplicaId from, std::string_view bytes) = 0;
  virtual void OnConnected(ReplicaId peer) = 0;
  virtual void OnDisconnected(ReplicaId peer) = 0;

 private:
  ReplicaId id_;
  int64_t local_time_ns_ = 0;
  // Per peer, a digest of the last message accepted on the current
  // connection (a proxy's duplicate follows its original at once).
  std::map<ReplicaId, uint64_t> last_accepted_;
};

}  // namespace collabsim

// What one user shows the others on the presence channel: who they are and
// where their cursor and selection are. Presence is ephemeral: it is never
// in an op log, never acknowledged, never resent after a crash; the newest
// entry replaces the last.
//
// Positions are opaque here: each engine encodes them so that they survive
// concurrent edits its own way (OT: an index at a revision, transformed
// through later ops; CRDT: the id of the character left of the caret; LWW:
// a block id and an offset), and only that engine decodes them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "engines/common/intent.h"

namespace collabsim {

// The span of the document a user has on screen, in the engine's positions.
struct Viewport {
  std::string first;
  std::string last;
  bool operator==(const Viewport&) const = default;
};

struct PresenceEntry {
  ReplicaId user = 0;
  // Whether `name` and `colour` are part of this entry. A server's batch
  // leaves them out (false, both empty) of an entry whose user the member
  // already knows by them: the member keeps what it holds.
  bool identity = true;
  std::string name;     // display name, UTF-8
  uint32_t colour = 0;  // 0xRRGGBB
  // Selection: `anchor` where it started, `head` where the caret is; equal
  // for a plain caret (the wire then carries the head only). Both empty
  // when the user has no cursor in the text (and always empty in what a
  // large audience of viewers receives).
  std::string anchor;
  std::string head;
  std::optional<Viewport> viewport;
  // Peer to peer only (presence_gossip.h): the owner's version of its
  // entry, so peers keep the newest. 0 through a server.
  uint64_t version = 0;
  bool operator==(const PresenceEntry&) const = default;

  bool has_cursor() const { return !head.empty(); }
};

// A cursor move for a receiver that knows the user: no name or colour.
PresenceEntry WithoutIdentity(PresenceEntry entry);
// `entry` (sent without its identity) with the name and colour of `held`,
// the receiver's entry for the same user.
void TakeIdentity(const PresenceEntry& held, PresenceEntry* entry);

// Bounds that keep a forged or buggy entry from costing the server more
// than a real one: an engine's position encoding fits easily.
inline constexpr size_t kMaxPresenceNameBytes = 64;
inline constexpr size_t kMaxPresencePositionBytes = 128;
inline constexpr uint32_t kMaxPresenceColour = 0xFFFFFF;

// OK when `entry` is within the bounds above, its name is valid UTF-8 and
// an anchor comes with a head; otherwise InvalidArgument naming the field.
absl::Status ValidatePresenceEntry(const PresenceEntry& entry);

}  // namespace collabsim

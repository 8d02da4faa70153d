// Presence entries and batches to and from the wire (presence_wire.proto).
// Decoding validates everything a forged message could get wrong, so a
// roster or a room only ever holds well-formed entries.
#pragma once

#include "absl/status/statusor.h"
#include "engines/presence/presence_entry.h"
#include "engines/presence/presence_room.h"
#include "presence_wire.pb.h"

namespace collabsim {

void EncodePresenceEntry(const PresenceEntry& entry, wire::PresenceEntry* out);
// The entry within ValidatePresenceEntry's bounds; its user as sent.
absl::StatusOr<PresenceEntry> DecodePresenceEntry(const wire::PresenceEntry& in);

void EncodePresenceBatch(const PresenceBatch& batch, wire::PresenceBatch* out);
// Also: users are not the server, each appears once (in the entries or the
// removals, not both; once among the unknown), and a full batch removes
// nobody.
absl::StatusOr<PresenceBatch> DecodePresenceBatch(const wire::PresenceBatch& in);

}  // namespace collabsim

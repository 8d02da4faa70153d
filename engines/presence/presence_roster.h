// What a client knows of the others' presence: the entries the server's
// batches have given it. A full batch replaces the roster; others add,
// replace and remove entries, and an entry without its identity (a cursor
// move) keeps the name and colour the roster holds.
#pragma once

#include <map>

#include "absl/status/status.h"

#include "engines/presence/presence_entry.h"
#include "engines/presence/presence_room.h"

namespace collabsim {

class PresenceRoster {
 public:
  // InvalidArgument when `batch` (decoded by DecodePresenceBatch) cannot
  // apply: an entry without its identity for a user the roster does not
  // hold after the batch's removals, or in a full batch.
  absl::Status Check(const PresenceBatch& batch) const;
  // REQUIRES: Check(batch) is ok.
  void Apply(PresenceBatch batch);
  // The connection dropped: what the roster shows is no longer live.
  void Clear() { entries_.clear(); }
  const std::map<ReplicaId, PresenceEntry>& entries() const { return entries_; }

 private:
  std::map<ReplicaId, PresenceEntry> entries_;
};

}  // namespace collabsim

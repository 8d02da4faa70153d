// What a client knows of the others' presence: the entries the server's
// batches have given it. A full batch replaces the roster; others add,
// replace and remove entries.
#pragma once

#include <map>

#include "engines/common/presence_entry.h"
#include "engines/common/presence_room.h"

namespace collabsim {

class PresenceRoster {
 public:
  // REQUIRES: `batch` decoded (DecodePresenceBatch) or made by a room.
  void Apply(PresenceBatch batch);
  // The connection dropped: what the roster shows is no longer live.
  void Clear() { entries_.clear(); }
  const std::map<ReplicaId, PresenceEntry>& entries() const { return entries_; }

 private:
  std::map<ReplicaId, PresenceEntry> entries_;
};

}  // namespace collabsim

// A client's view of others' presence (see presence_roster.h).
#include "engines/common/presence_roster.h"

namespace collabsim {

void PresenceRoster::Apply(PresenceBatch batch) {
  if (batch.full) entries_.clear();
  for (ReplicaId user : batch.removed) entries_.erase(user);
  for (PresenceEntry& entry : batch.entries) entries_.insert_or_assign(entry.user, std::move(entry));
}

}  // namespace collabsim

// A client's view of others' presence (see presence_roster.h).
#include "engines/presence/presence_roster.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engines/common/check.h"

namespace collabsim {

absl::Status PresenceRoster::Check(const PresenceBatch& batch) const {
  for (const PresenceEntry& entry : batch.entries) {
    if (entry.identity) continue;
    const bool removed = std::find(batch.removed.begin(), batch.removed.end(), entry.user) != batch.removed.end();
    if (batch.full || removed || !entries_.contains(entry.user)) {
      return absl::InvalidArgumentError(
          absl::StrCat("presence batch: user ", entry.user, "'s entry has no name and colour, and none are held"));
    }
  }
  return absl::OkStatus();
}

void PresenceRoster::Apply(PresenceBatch batch) {
  COLLABSIM_CHECK(Check(batch).ok());
  if (batch.full) entries_.clear();
  for (ReplicaId user : batch.removed) entries_.erase(user);
  for (PresenceEntry& entry : batch.entries) {
    if (!entry.identity) TakeIdentity(entries_.at(entry.user), &entry);
    entries_.insert_or_assign(entry.user, std::move(entry));
  }
}

}  // namespace collabsim

// Server-side presence: membership, rate limits, TTL and batches (see
// presence_room.h).
#include "engines/presence/presence_room.h"

#include <algorithm>

#include "engines/common/check.h"

namespace collabsim {
namespace {

PresenceEntry WithoutPositions(const PresenceEntry& entry) {
  PresenceEntry stripped;
  stripped.user = entry.user;
  stripped.name = entry.name;
  stripped.colour = entry.colour;
  return stripped;
}

}  // namespace

PresenceRoom::PresenceRoom(const PresenceOptions& options) : options_(options) {
  COLLABSIM_CHECK(options_.broadcast_interval_ns > 0 && options_.ttl_ns > 0);
  COLLABSIM_CHECK(options_.rate_per_s > 0 && options_.burst > 0);
}

void PresenceRoom::Join(ReplicaId user, bool viewer, int64_t now) {
  Leave(user);  // a rejoin without a leave (a new connection) starts over
  members_.emplace(user, Member{viewer, true, TokenBucket(options_.rate_per_s, options_.burst, now)});
}

void PresenceRoom::Leave(ReplicaId user) {
  members_.erase(user);
  dropped_ += deferred_.erase(user);  // kept aside, now never to take effect
  Remove(user);
}

void PresenceRoom::Remove(ReplicaId user) {
  if (entries_.erase(user) == 0) return;
  updated_at_.erase(user);
  changed_.erase(user);
  removed_.insert(user);
}


bool PresenceRoom::Update(ReplicaId user, PresenceEntry entry, int64_t now) {
  auto member = members_.find(user);
  if (member == members_.end()) {
    ++dropped_;
    return false;
  }
  entry.user = user;
  COLLABSIM_CHECK(entry.identity);  // a client always says who it is
  // An update kept aside and replaced by a newer one before it took
  // effect is what counts as dropped.
  if (!member->second.bucket.Take(now)) {
    auto [held, added] = deferred_.insert_or_assign(user, std::move(entry));
    dropped_ += !added;
    return false;
  }
  dropped_ += deferred_.erase(user);  // this one is newer
  Admit(user, std::move(entry), now);
  return true;
}

void PresenceRoom::Admit(ReplicaId user, PresenceEntry entry, int64_t now) {
  ++admitted_;
  updated_at_[user] = now;
  auto held = entries_.find(user);
  if (held == entries_.end()) {
    removed_.erase(user);
    changed_[user] = true;
    entries_.emplace(user, std::move(entry));
  } else if (held->second != entry) {
    const bool identity = held->second.name != entry.name || held->second.colour != entry.colour;
    changed_[user] = changed_[user] || identity;
    held->second = std::move(entry);
  }
}

void PresenceRoom::AdmitDeferred(int64_t now) {
  for (auto it = deferred_.begin(); it != deferred_.end();) {
    Member& member = members_.at(it->first);
    if (!member.bucket.Take(now)) {
      ++it;
      continue;
    }
    Admit(it->first, std::move(it->second), now);
    it = deferred_.erase(it);
  }
}

void PresenceRoom::Expire(int64_t now) {
  std::vector<ReplicaId> stale;
  for (const auto& [user, at] : updated_at_) {
    if (now >= at && now - at >= options_.ttl_ns) stale.push_back(user);  // never overflows
  }
  for (ReplicaId user : stale) Remove(user);
}

bool PresenceRoom::ViewersSeeCursors() const {
  uint64_t viewers = 0;
  for (const auto& [user, member] : members_) viewers += member.viewer;
  return viewers <= options_.viewers_with_cursors;
}

bool PresenceRoom::BatchPending() const { return ChangesPending() || !deferred_.empty(); }

bool PresenceRoom::ChangesPending() const {
  if (!changed_.empty() || !removed_.empty() || viewers_saw_cursors_ != ViewersSeeCursors()) return true;
  return std::any_of(members_.begin(), members_.end(), [](const auto& m) { return m.second.needs_full; });
}

std::optional<int64_t> PresenceRoom::NextDue() const {
  std::optional<int64_t> due;
  if (ChangesPending()) due = last_batch_.has_value() ? *last_batch_ + options_.broadcast_interval_ns : INT64_MIN;
  for (const auto& [user, at] : updated_at_) {
    if (!due.has_value() || at + options_.ttl_ns < *due) due = at + options_.ttl_ns;
  }
  for (const auto& [user, entry] : deferred_) {
    const int64_t ready = members_.at(user).bucket.ReadyAt();
    if (!due.has_value() || ready < *due) due = ready;
  }
  return due;
}

std::vector<std::pair<ReplicaId, PresenceBatch>> PresenceRoom::TakeBatches(int64_t now) {
  Expire(now);
  AdmitDeferred(now);
  std::vector<std::pair<ReplicaId, PresenceBatch>> batches;
  if (!ChangesPending() || (last_batch_.has_value() && now < *last_batch_ + options_.broadcast_interval_ns)) {
    return batches;
  }
  const bool cursors_for_viewers = ViewersSeeCursors();
  if (cursors_for_viewers != viewers_saw_cursors_) {
    // Viewers' entries gain or lose their positions: send them all again.
    for (auto& [user, member] : members_) member.needs_full = member.needs_full || member.viewer;
  }
  viewers_saw_cursors_ = cursors_for_viewers;
  for (auto& [user, member] : members_) {
    const bool positions = !member.viewer || cursors_for_viewers;
    PresenceBatch batch;
    batch.full = member.needs_full;
    if (batch.full) {
      for (const auto& [other, entry] : entries_) {
        if (other != user) batch.entries.push_back(positions ? entry : WithoutPositions(entry));
      }
    } else {
      for (const auto& [other, identity] : changed_) {
        if (other == user || (!positions && !identity)) continue;
        const PresenceEntry& entry = entries_.at(other);
        batch.entries.push_back(!positions ? WithoutPositions(entry) : identity ? entry : WithoutIdentity(entry));
      }
      for (ReplicaId other : removed_) {
        if (other != user) batch.removed.push_back(other);
      }
    }
    member.needs_full = false;
    if (batch.full || !batch.entries.empty() || !batch.removed.empty()) batches.emplace_back(user, std::move(batch));
  }
  changed_.clear();
  removed_.clear();
  last_batch_ = now;
  return batches;
}

void PresenceRoom::CheckInvariants() const {
  COLLABSIM_CHECK(entries_.size() == updated_at_.size());
  for (const auto& [user, entry] : deferred_) COLLABSIM_CHECK(members_.contains(user) && entry.user == user);
  for (const auto& [user, entry] : entries_) {
    COLLABSIM_CHECK(entry.user == user);
    COLLABSIM_CHECK(members_.contains(user));
    COLLABSIM_CHECK(updated_at_.contains(user));
    COLLABSIM_CHECK(!removed_.contains(user));
  }
  for (const auto& [user, identity] : changed_) COLLABSIM_CHECK(entries_.contains(user));
  for (const auto& [user, member] : members_) member.bucket.CheckInvariants();
}

}  // namespace collabsim

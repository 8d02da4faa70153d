// Peer-to-peer presence: newest entries by version, forwarded once per
// link, rate-limited per owner, expired by TTL (see presence_gossip.h).
#include "engines/presence/presence_gossip.h"

#include <algorithm>

#include "engines/common/check.h"

namespace collabsim {

PresenceGossip::PresenceGossip(ReplicaId self, const PresenceOptions& options) : self_(self), options_(options) {
  COLLABSIM_CHECK(options_.broadcast_interval_ns > 0 && options_.ttl_ns > 0);
}

uint64_t PresenceGossip::Publish(PresenceEntry entry, int64_t now) {
  const uint64_t floor = own_.has_value() ? own_->version + 1 : 1;
  entry.user = self_;
  entry.version = std::max<uint64_t>(floor, static_cast<uint64_t>(std::max<int64_t>(now, 0)));
  own_ = std::move(entry);
  for (auto& [peer, owners] : unsent_) owners.insert(self_);
  return own_->version;
}

void PresenceGossip::LinkUp(ReplicaId peer) {
  absl::btree_set<ReplicaId>& owners = unsent_[peer];
  if (own_.has_value()) owners.insert(self_);
  for (const auto& [owner, entry] : entries_) {
    if (owner != peer) owners.insert(owner);
  }
}

void PresenceGossip::LinkDown(ReplicaId peer) {
  unsent_.erase(peer);
  known_.erase(peer);
  asks_.erase(peer);
}

const PresenceEntry* PresenceGossip::Held(ReplicaId owner) const {
  if (owner == self_) return own_.has_value() ? &*own_ : nullptr;
  const auto it = entries_.find(owner);
  return it == entries_.end() ? nullptr : &it->second;
}

const PresenceEntry* PresenceGossip::Named(ReplicaId owner) const {
  const auto it = deferred_.find(owner);  // newer than what is held
  return it != deferred_.end() ? &it->second.first : Held(owner);
}

TokenBucket& PresenceGossip::BucketOf(ReplicaId owner, int64_t now) {
  auto it = buckets_.find(owner);
  if (it == buckets_.end()) it = buckets_.emplace(owner, TokenBucket(options_.rate_per_s, options_.burst, now)).first;
  return it->second;
}

void PresenceGossip::Take(ReplicaId from, const PresenceEntry& entry, int64_t now) {
  entries_[entry.user] = entry;
  const auto [heard, added] = heard_at_.try_emplace(entry.user, now);
  if (!added) {
    by_heard_at_.erase({heard->second, entry.user});
    heard->second = now;
  }
  by_heard_at_.emplace(now, entry.user);
  for (auto& [peer, owners] : unsent_) {
    if (peer != from && peer != entry.user) owners.insert(entry.user);
  }
}

std::vector<PresenceEntry> PresenceGossip::Receive(ReplicaId from, const PresenceBatch& batch, int64_t now) {
  const bool linked = unsent_.contains(from);
  if (linked) {
    for (ReplicaId owner : batch.unknown) {  // it forgot them: send them whole
      if (owner == from) continue;
      known_[from].erase(owner);
      if (Held(owner) != nullptr) unsent_[from].insert(owner);
    }
  }
  std::vector<PresenceEntry> fresh;
  for (PresenceEntry entry : batch.entries) {
    if (entry.user == self_) continue;  // our own, come back round the mesh
    if (!entry.identity) {
      const PresenceEntry* named = Named(entry.user);
      if (named == nullptr) {
        if (linked) {
          uint64_t& asked = asks_[from][entry.user];
          asked = std::max(asked, entry.version);
        }
        continue;
      }
      TakeIdentity(*named, &entry);
    }
    if (linked) {
      Known& known = known_[from][entry.user];
      if (entry.version >= known.version) {
        known.version = entry.version;
        if (known.name != entry.name) known.name = entry.name;
        known.colour = entry.colour;
      }
    }
    const PresenceEntry* held = Held(entry.user);
    if (held != nullptr && held->version >= entry.version) continue;  // seen it, or something newer
    auto deferred = deferred_.find(entry.user);
    if (deferred != deferred_.end() && deferred->second.first.version >= entry.version) continue;
    // What is dropped (and counted) is a version kept aside over its
    // owner's rate and replaced by a newer one before it took effect.
    if (!BucketOf(entry.user, now).Take(now)) {
      dropped_ += deferred != deferred_.end();
      deferred_.insert_or_assign(entry.user, std::make_pair(entry, from));
      continue;
    }
    if (deferred != deferred_.end()) {  // this one is newer
      ++dropped_;
      deferred_.erase(deferred);
    }
    Take(from, entry, now);
    fresh.push_back(std::move(entry));
  }
  return fresh;
}

bool PresenceGossip::HasUnsent() const {
  const auto some = [](const auto& link) { return !link.second.empty(); };
  return std::any_of(unsent_.begin(), unsent_.end(), some) || std::any_of(asks_.begin(), asks_.end(), some);
}

bool PresenceGossip::BatchPending() const { return !deferred_.empty() || HasUnsent(); }

std::optional<int64_t> PresenceGossip::NextDue() const {
  std::optional<int64_t> due;
  if (HasUnsent()) {
    due = last_batch_.has_value() ? *last_batch_ + options_.broadcast_interval_ns : INT64_MIN;
  }
  for (const auto& [owner, deferred] : deferred_) {
    const int64_t ready = buckets_.at(owner).ReadyAt();
    if (!due.has_value() || ready < *due) due = ready;
  }
  if (!by_heard_at_.empty()) {  // the earliest heard expires first
    const int64_t expires = by_heard_at_.begin()->first + options_.ttl_ns;
    if (!due.has_value() || expires < *due) due = expires;
  }
  return due;
}

PresenceGossip::Due PresenceGossip::TakeDue(int64_t now) {
  Due due;
  // The expired are a prefix of by_heard_at_ (heard earliest); they are
  // taken in owner order.
  std::vector<ReplicaId> expired;
  for (const auto& [at, owner] : by_heard_at_) {
    if (now < at || now - at < options_.ttl_ns) break;  // never overflows
    expired.push_back(owner);
  }
  std::sort(expired.begin(), expired.end());
  for (ReplicaId owner : expired) {
    entries_.erase(owner);
    for (auto& [peer, owners] : unsent_) owners.erase(owner);
    due.expired.push_back(owner);
    const auto heard = heard_at_.find(owner);
    by_heard_at_.erase({heard->second, owner});
    heard_at_.erase(heard);
  }
  for (auto it = deferred_.begin(); it != deferred_.end();) {
    if (!buckets_.at(it->first).Take(now)) {
      ++it;
      continue;
    }
    auto& [entry, from] = it->second;
    Take(from, entry, now);
    due.admitted.push_back(std::move(entry));
    it = deferred_.erase(it);
  }
  if (!HasUnsent() || (last_batch_.has_value() && now < *last_batch_ + options_.broadcast_interval_ns)) return due;
  last_batch_ = now;
  for (auto& [peer, owners] : unsent_) {
    PresenceBatch batch;
    absl::flat_hash_map<ReplicaId, Known>& known = known_[peer];
    for (ReplicaId owner : owners) {
      const PresenceEntry* entry = Held(owner);
      if (entry == nullptr) continue;
      auto [it, added] = known.try_emplace(owner);
      if (!added && it->second.version >= entry->version) continue;  // it has this one, or newer
      const bool named = !added && it->second.name == entry->name && it->second.colour == entry->colour;
      it->second.version = entry->version;
      if (!named) it->second.name = entry->name;
      it->second.colour = entry->colour;
      batch.entries.push_back(named ? WithoutIdentity(*entry) : *entry);
    }
    owners.clear();
    if (auto asks = asks_.find(peer); asks != asks_.end()) {
      for (const auto& [owner, version] : asks->second) {
        const PresenceEntry* named = Named(owner);
        if (named == nullptr || named->version < version) batch.unknown.push_back(owner);  // else heard since
      }
      asks_.erase(asks);
    }
    if (!batch.entries.empty() || !batch.unknown.empty()) due.batches.emplace_back(peer, std::move(batch));
  }
  return due;
}

void PresenceGossip::CheckInvariants() const {
  COLLABSIM_CHECK(!entries_.contains(self_));
  COLLABSIM_CHECK(entries_.size() == heard_at_.size());
  COLLABSIM_CHECK(by_heard_at_.size() == heard_at_.size());
  for (const auto& [at, owner] : by_heard_at_) COLLABSIM_CHECK(heard_at_.at(owner) == at);
  for (const auto& [owner, entry] : entries_) COLLABSIM_CHECK(entry.user == owner && heard_at_.contains(owner));
  for (const auto& [peer, owners] : unsent_) {
    for (ReplicaId owner : owners) COLLABSIM_CHECK(Held(owner) != nullptr);
  }
  for (const auto& [peer, versions] : known_) COLLABSIM_CHECK(unsent_.contains(peer));
  for (const auto& [peer, owners] : asks_) {
    COLLABSIM_CHECK(unsent_.contains(peer));
    for (const auto& [owner, version] : owners) COLLABSIM_CHECK(owner != self_);
  }
  // Everything held here has its name: it is what a nameless move takes.
  for (const auto& [owner, entry] : entries_) COLLABSIM_CHECK(entry.identity);
  if (own_.has_value()) COLLABSIM_CHECK(own_->identity);
  for (const auto& [owner, bucket] : buckets_) bucket.CheckInvariants();
  for (const auto& [owner, deferred] : deferred_) {
    COLLABSIM_CHECK(owner != self_ && deferred.first.user == owner && buckets_.contains(owner));
    COLLABSIM_CHECK(deferred.first.identity);
    const PresenceEntry* held = Held(owner);
    COLLABSIM_CHECK(held == nullptr || held->version < deferred.first.version);
  }
}

}  // namespace collabsim

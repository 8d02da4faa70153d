// The peer-to-peer side of presence: with no server to hold the room, each
// peer keeps the newest entry it has heard from every user, passes what is
// new to its other neighbours in batches at most once per interval, and
// forgets an entry no one has refreshed within the TTL.
//
// - An entry carries its owner's version (strictly increasing per owner;
//   the owner's clock reading when it sent it, so a restarted app that
//   forgot its counter still moves forward). A peer keeps only the newest
//   and sends each version at most once over each link.
// - Every peer passes each owner's new versions through a token bucket
//   (rate per second, burst), so a flooding peer's excess dies at its
//   neighbours and never crosses the mesh. The newest version over the
//   rate is kept aside and taken when the owner's next token comes, so an
//   owner's last word still crosses the mesh; the versions replaced there
//   before they took effect are the drops, and are counted.
// - A new link gets everything the peer holds, its own entry included;
//   nothing goes to a neighbour known to hold it already (it sent it).
// - An entry goes without its name and colour to a neighbour that was
//   passed (or passed on) that owner by the same ones over the link. A
//   neighbour that has since forgotten the owner (its TTL ran out) cannot
//   show such a move: it asks for the owner in its next batch, and gets the
//   whole entry in the answer. A user's name and colour are fixed for a
//   session (the scenario gives them); a change still goes whole over
//   every link, but a peer that skipped that entry as older than one it
//   held keeps the old name until a newer whole entry reaches it.
//
// Driven like an engine: the caller passes its clock's reading.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "engines/presence/presence_entry.h"
#include "engines/presence/presence_options.h"
#include "engines/presence/presence_room.h"
#include "engines/presence/token_bucket.h"

namespace collabsim {

class PresenceGossip {
 public:
  PresenceGossip(ReplicaId self, const PresenceOptions& options);

  // This peer's own entry as its throttle sends it: a new version (returned)
  // for every neighbour.
  uint64_t Publish(PresenceEntry entry, int64_t now);
  void LinkUp(ReplicaId peer);
  void LinkDown(ReplicaId peer);

  // A batch from neighbour `from` (entries carry versions): the entries
  // newer than what was held and within their owner's rate, which the
  // caller shows, each with its name and colour; they are passed on to the
  // other neighbours. A nameless entry for an owner not held here is asked
  // for instead.
  std::vector<PresenceEntry> Receive(ReplicaId from, const PresenceBatch& batch, int64_t now);

  struct Due {
    // What each neighbour should receive now (nothing new: left out).
    std::vector<std::pair<ReplicaId, PresenceBatch>> batches;
    // Users whose entry just expired here.
    std::vector<ReplicaId> expired;
    // Entries kept aside over their owner's rate, taken now: the caller
    // shows them as it shows Receive's.
    std::vector<PresenceEntry> admitted;
  };
  // Expires stale entries, and sends the batches if they are due at `now`.
  Due TakeDue(int64_t now);
  // When TakeDue next has work (may be in the past).
  std::optional<int64_t> NextDue() const;
  // Whether a neighbour has not yet been sent something it should get.
  bool BatchPending() const;

  // Other users' newest entries, by user (unordered).
  const absl::flat_hash_map<ReplicaId, PresenceEntry>& entries() const { return entries_; }
  uint64_t dropped() const { return dropped_; }

  // Aborts when the bookkeeping is inconsistent.
  void CheckInvariants() const;

 private:
  TokenBucket& BucketOf(ReplicaId owner, int64_t now);
  // Holds `entry` (admitted) and queues it for every link but `from`.
  void Take(ReplicaId from, const PresenceEntry& entry, int64_t now);
  const PresenceEntry* Held(ReplicaId owner) const;
  // The newest entry of `owner` here: kept aside over its rate, or held.
  const PresenceEntry* Named(ReplicaId owner) const;
  // Whether some link has owners it has not been sent.
  bool HasUnsent() const;

  ReplicaId self_;
  PresenceOptions options_;
  std::optional<PresenceEntry> own_;
  // Looked up by owner on every entry of every batch, and walked only into
  // a set: a hash map, so its order decides nothing. The walked maps and
  // sets below are ordered (their walks decide what is sent, in what
  // order), as B-trees: a peer of a room of hundreds touches them often.
  absl::flat_hash_map<ReplicaId, PresenceEntry> entries_;
  absl::flat_hash_map<ReplicaId, int64_t> heard_at_;  // looked up too
  // heard_at_ ordered by time: the next expiry without a walk over every
  // owner (a room of hundreds asks for it after each step).
  absl::btree_set<std::pair<int64_t, ReplicaId>> by_heard_at_;
  absl::flat_hash_map<ReplicaId, TokenBucket> buckets_;  // per owner, looked up
  // Per owner: the newest version over its rate, and the link it came by.
  absl::btree_map<ReplicaId, std::pair<PresenceEntry, ReplicaId>> deferred_;
  // What a neighbour is known to hold of one owner (it sent it here, or
  // was sent it): the newest version, never sent to it again, and the
  // name and colour, left out of what it is sent next.
  struct Known {
    uint64_t version = 0;
    std::string name;
    uint32_t colour = 0;
  };
  // Per linked neighbour: owners whose newest entry it has not been sent,
  // what it holds, and owners to ask it for (they came from it nameless).
  absl::btree_map<ReplicaId, absl::btree_set<ReplicaId>> unsent_;
  // (Looked up by owner, never walked: a hash map, so the order it keeps
  // decides nothing.)
  absl::btree_map<ReplicaId, absl::flat_hash_map<ReplicaId, Known>> known_;
  // Per owner asked for: the nameless version that could not be shown;
  // the ask goes unless a version as new has come since.
  absl::btree_map<ReplicaId, absl::btree_map<ReplicaId, uint64_t>> asks_;
  std::optional<int64_t> last_batch_;
  uint64_t dropped_ = 0;
};

}  // namespace collabsim

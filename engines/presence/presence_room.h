// The server side of presence: who is in the document and where their
// cursors are, sent to every member in batches at most once per interval,
// never through the op log and never behind edits.
//
// - Each member's updates pass a token bucket (rate per second, burst);
//   the rest are dropped and counted, so one flooding client costs the
//   others nothing. The newest update over the rate is kept aside and
//   takes effect when the user's next token comes, so the last word of a
//   client that was over its rate still arrives; what is dropped (and
//   counted) is every update replaced before it could take effect.
// - An entry not refreshed within the TTL expires; a member who leaves
//   (disconnects) is removed at once. Both reach the others as removals.
// - A member who joins receives the whole list in its next batch, then
//   only changes; a cursor move comes without the name and colour the
//   member already has.
// - With more viewers (read-only members) than the configured number,
//   viewers receive who is here but not live cursors: an entry reaches
//   them when it first appears or its name or colour changes, stripped of
//   its positions, never for a cursor move.
//
// Driven like an engine: the caller passes its clock's reading.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "engines/presence/presence_entry.h"
#include "engines/presence/presence_options.h"
#include "engines/presence/token_bucket.h"

namespace collabsim {

// What one member receives: entries new or changed since its last batch
// (or all of them, `full`), and users no longer present.
struct PresenceBatch {
  bool full = false;
  std::vector<PresenceEntry> entries;  // by user
  std::vector<ReplicaId> removed;      // ascending
  // Peer to peer (presence_gossip.h): users the sender holds no entry for
  // and received without a name; ascending.
  std::vector<ReplicaId> unknown;
  bool operator==(const PresenceBatch&) const = default;
};

class PresenceRoom {
 public:
  explicit PresenceRoom(const PresenceOptions& options);

  // `user` connected; `viewer` if it only reads.
  void Join(ReplicaId user, bool viewer, int64_t now);
  // `user` disconnected: its entry goes, and it receives nothing more.
  void Leave(ReplicaId user);

  // An update from member `user` (the entry's user is set to it; it must
  // carry its identity, as clients' updates do). Returns
  // false when the user is over its rate (the update is kept aside, and
  // the one it replaces there is dropped and counted) or is not a member
  // (dropped).
  bool Update(ReplicaId user, PresenceEntry entry, int64_t now);

  // Expires entries older than the TTL; then, if a batch is due at `now`,
  // what each member should receive (members with nothing new are left
  // out), in member order. Records the send.
  std::vector<std::pair<ReplicaId, PresenceBatch>> TakeBatches(int64_t now);
  // When TakeBatches next has work: a batch to send, an entry to expire or
  // one kept aside whose user has a token again.
  std::optional<int64_t> NextDue() const;

  // Current entries, by user.
  const std::map<ReplicaId, PresenceEntry>& entries() const { return entries_; }
  bool IsMember(ReplicaId user) const { return members_.contains(user); }
  uint64_t dropped() const { return dropped_; }
  uint64_t admitted() const { return admitted_; }
  // When TakeBatches last sent batches.
  std::optional<int64_t> last_batch() const { return last_batch_; }
  // Whether viewers currently receive cursors.
  bool ViewersSeeCursors() const;
  // Whether something changed that members have not been sent yet, or an
  // update kept aside still waits for its user's next token.
  bool BatchPending() const;

  // Aborts when the room's bookkeeping is inconsistent.
  void CheckInvariants() const;

 private:
  struct Member {
    bool viewer = false;
    bool needs_full = true;
    TokenBucket bucket;
  };

  void Expire(int64_t now);
  // Applies an admitted update.
  void Admit(ReplicaId user, PresenceEntry entry, int64_t now);
  // Admits the updates kept aside whose users have a token at `now`.
  void AdmitDeferred(int64_t now);
  bool ChangesPending() const;
  void Remove(ReplicaId user);

  PresenceOptions options_;
  std::map<ReplicaId, Member> members_;
  std::map<ReplicaId, PresenceEntry> entries_;
  std::map<ReplicaId, int64_t> updated_at_;  // for the TTL
  std::map<ReplicaId, PresenceEntry> deferred_;  // newest update over the rate, by user
  // Since the last batch: users whose entry changed (true when it appeared
  // or its name or colour changed), and users removed.
  std::map<ReplicaId, bool> changed_;
  std::set<ReplicaId> removed_;
  std::optional<int64_t> last_batch_;
  bool viewers_saw_cursors_ = true;
  uint64_t dropped_ = 0;
  uint64_t admitted_ = 0;
};

}  // namespace collabsim

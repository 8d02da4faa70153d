// The LWW engine's client. The user's edits apply at once (optimistic UI)
// and queue as pending changes; the server's stream (Snapshot, then Acks
// and Broadcasts in revision order) is applied to a separate `confirmed`
// copy. The view is confirmed overlaid with every pending write, so an
// incoming write to a property this client has an unacknowledged write to
// is recorded but not shown: no flicker, and once the ack arrives the
// confirmed value is the client's own (the server ordered it last), or a
// later broadcast replaces it. Figma's client behaves this way.
//
// A move the server refused comes back in the Ack: the client's view
// returns to the server's value once no other write to it is pending.
//
// Reconnect: the server's Snapshot replaces `confirmed` and says which of
// this client's changes it already applied; those are dropped, the rest
// are sent again under their old client_seq. A client restarted without
// storage learns from its first Snapshot where to number from.
//
// The negative control lww-wallclock (wallclock_client.h) is this client
// with the points where writes are ordered replaced.
//
// Invariants (CheckInvariants): pending client_seqs strictly increase and
// are below next_client_seq_; unnumbered changes come last; the view
// equals confirmed overlaid with pending (O(state): on a FullCheckCadence).
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engines/common/engine.h"
#include "engines/common/replica.h"
#include "engines/lww/caret_position.h"
#include "engines/lww/lww_document.h"
#include "engines/lww/lww_codec.h"
#include "lww_wire.pb.h"

namespace collabsim::lww {

// A client's confirmed registers: looked up on every write it receives, by
// each of a crowd's clients, and walked only where order cannot matter
// (sums, a sorted rebuild) or after sorting the keys (durable state). A
// hash map: one probe instead of a tree walk through cold memory.
using ConfirmedRegisters = absl::flat_hash_map<PropertyKey, Register>;

class LwwClient : public Replica, public CaretFacet {
 public:
  LwwClient(ReplicaId id, Granularity granularity);

  absl::Status ApplyLocal(const Intent& intent) override;
  absl::Status ReceiveMessage(ReplicaId from, std::string_view bytes) override;
  void OnConnected(ReplicaId peer) override;
  void OnDisconnected(ReplicaId peer) override;
  View GetView() const override;
  uint64_t TextLength() const override { return view_.text().TextLength(); }
  std::string TextSlice(uint64_t from, uint64_t count) const override { return view_.text().TextSlice(from, count); }
  uint64_t OwnCursor() const override { return view_.text().PositionOf(caret_.head()); }
  Selection OwnSelection() const override;
  ReplicaStats Stats() const override;
  std::vector<OutgoingMessage> TakeOutbox() override;
  std::vector<IntentId> TakeNewlyVisible() override;
  void CheckInvariants() const override;
  std::string DurableState() const override;
  // `fresh` (a new client of the right kind) given the stored state back.
  // InvalidArgument (and no client) for malformed or inconsistent state.
  static absl::StatusOr<std::unique_ptr<LwwClient>> Restore(std::unique_ptr<LwwClient> fresh,
                                                            std::string_view durable_state);

  uint64_t revision() const { return revision_; }
  size_t pending() const { return pending_.size(); }

  CaretFacet* carets() override { return this; }
  EncodedSelection PublishSelection() override;
  absl::Status ShowRemoteSelection(ReplicaId owner, std::string_view anchor, std::string_view head) override;
  void HideRemoteSelection(ReplicaId owner) override { remote_carets_.erase(owner); }
  // Not shown while a block of either end is unknown here.
  std::optional<Selection> RemoteSelection(ReplicaId owner) const override;

 protected:
  // Where writes are ordered: server arrival here (the user's own writes
  // shown over the confirmed copy until acknowledged); lww-wallclock
  // replaces each.
  //
  // The user's own new change: shown at once.
  virtual void ApplyOwn(Change* change);
  // Counts the keys `change` writes as pending (delta +1) or not (-1).
  virtual void CountPending(const Change& change, int delta);
  // A snapshot's registers, before they replace confirmed_.
  virtual void MergeOwnInto(ConfirmedRegisters* snapshot) {}
  // The server acknowledged `change` (the oldest pending) at revision_,
  // refusing the writes marked in `refused`.
  virtual void Confirm(const Change& change, const std::vector<bool>& refused);
  // Another writer's change, ordered by the server at revision_; true if
  // any of it shows.
  virtual bool ApplyRemote(Change* change, ReplicaId origin);
  // Pending writes over the confirmed values, as the view shows them.
  virtual void OverlayPending(std::map<PropertyKey, PropertyValue>* values) const;

  // This user's changes the server has not acknowledged, oldest first.
  const std::deque<Change>& pending_changes() const { return pending_; }

  LwwDocument view_;
  ConfirmedRegisters confirmed_;
  uint64_t revision_ = 0;

 private:
  absl::Status HandleSnapshot(const wire::Snapshot& snapshot);
  absl::Status HandleAck(const wire::Ack& ack);
  absl::Status HandleBroadcast(const wire::Broadcast& broadcast);
  // Sends every pending change from the first unsent one, numbering as needed.
  void SendPending(size_t from);
  // The view rebuilt from confirmed_ and pending_.
  LwwDocument Overlay() const;

  Granularity granularity_;
  std::deque<Change> pending_;  // client_seq 0: not sent in this life yet
  std::map<PropertyKey, int> pending_writes_;  // keys with pending writes, how many
  uint64_t next_client_seq_ = 1;
  bool seq_base_known_ = false;
  bool synced_ = false;
  size_t sent_ = 0;  // pending_[0, sent_) went out on this connection
  CaretEnds caret_{Anchor{std::string(kFirstBlock), 0}};
  std::map<ReplicaId, CaretEnds> remote_carets_;  // others', from the presence channel
  std::map<std::string, uint64_t, std::less<>> probes_;
  std::vector<OutgoingMessage> outbox_;
  std::vector<IntentId> visible_;
  FullCheckCadence full_check_;
};

}  // namespace collabsim::lww

// A user's replica under the ideal reference. Each edit goes to the server
// the moment it is made; the server's forwards show at once. On every
// connection the client says which of the server's log it has seen and
// sends again every edit of its own not yet acknowledged, so nothing is
// lost to a drop, an offline window or a crash of either side: delivery
// waits only for the network.
//
// Invariants (CheckInvariants): unacknowledged edits have strictly
// increasing seqs; the document's own invariants (O(document): on a
// FullCheckCadence).
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "engines/common/check.h"
#include "engines/common/replica.h"
#include "engines/ideal/ideal_document.h"
#include "ideal_wire.pb.h"

namespace collabsim::ideal {

class IdealClient : public Replica {
 public:
  explicit IdealClient(ReplicaId id) : Replica(id) {}

  absl::Status ApplyLocal(const Intent& intent) override;
  View GetView() const override { return document_.ToView(id()); }
  uint64_t TextLength() const override { return document_.TextLength(); }
  std::string TextSlice(uint64_t from, uint64_t count) const override { return document_.TextSlice(from, count); }
  uint64_t OwnCursor() const override { return document_.cursor(); }
  ReplicaStats Stats() const override;
  std::vector<OutgoingMessage> TakeOutbox() override { return std::exchange(outbox_, {}); }
  std::vector<IntentId> TakeNewlyVisible() override { return std::exchange(newly_visible_, {}); }
  void CheckInvariants() const override;
  std::string DurableState() const override;
  // InvalidArgument (and no client) for state that does not decode.
  static absl::StatusOr<std::unique_ptr<IdealClient>> Restore(ReplicaId id, std::string_view durable_state);

 protected:
  absl::Status ReceiveMessage(ReplicaId from, std::string_view bytes) override;
  void OnConnected(ReplicaId peer) override;
  void OnDisconnected(ReplicaId peer) override;

 private:
  void Send(const ideal_wire::ClientMessage& message, uint64_t charged_bytes);

  IdealDocument document_;
  std::deque<ideal_wire::Edit> unacknowledged_;
  uint64_t unacknowledged_bytes_ = 0;  // their encoded size, for Stats
  uint64_t seen_through_ = 0;          // the last server log index received
  bool connected_ = false;
  std::vector<OutgoingMessage> outbox_;
  std::vector<IntentId> newly_visible_;
  FullCheckCadence full_check_;
};

}  // namespace collabsim::ideal

// The ideal reference's server: it appends each edit to its log the moment
// it arrives, acknowledges it, and forwards it at once to every connected
// user. A user that (re)connects says how much of the log it has seen and
// gets the rest in one message; until then nothing is forwarded to it, so
// it never receives an entry twice or out of order.
//
// Invariants (CheckInvariants): per author, the log's seqs ascend and end
// at the last one recorded (O(log): on a FullCheckCadence).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engines/common/check.h"
#include "engines/common/replica.h"
#include "ideal_wire.pb.h"

namespace collabsim::ideal {

class IdealServer : public Replica {
 public:
  IdealServer() : Replica(kServerReplica) {}

  absl::Status ApplyLocal(const Intent& intent) override;
  // The server edits nothing of its own and shows no document.
  View GetView() const override { return View{}; }
  ReplicaStats Stats() const override;
  std::vector<OutgoingMessage> TakeOutbox() override { return std::exchange(outbox_, {}); }
  std::vector<IntentId> TakeNewlyVisible() override { return std::exchange(newly_visible_, {}); }
  void CheckInvariants() const override;
  std::string DurableState() const override;
  // Every edit of the log is reported by TakeNewlyVisible. InvalidArgument
  // (and no server) for state that does not decode.
  static absl::StatusOr<std::unique_ptr<IdealServer>> Restore(std::string_view durable_state);

 protected:
  absl::Status ReceiveMessage(ReplicaId from, std::string_view bytes) override;
  void OnConnected(ReplicaId peer) override { joined_.erase(peer); }
  void OnDisconnected(ReplicaId peer) override { joined_.erase(peer); }

 private:
  // Appends `edit` unless the log has it (a resend). REQUIRES: checked.
  void Append(const ideal_wire::Edit& edit);
  // The log entries at `indexes`, as one message to `to`.
  OutgoingMessage Forward(ReplicaId to, const std::vector<uint64_t>& indexes) const;
  void Acknowledge(ReplicaId author);

  std::vector<ideal_wire::Edit> log_;  // log index k is log_[k - 1]
  uint64_t log_bytes_ = 0;
  std::map<ReplicaId, uint64_t> last_seq_;  // per author, in the log
  std::set<ReplicaId> joined_;             // users whose hello arrived on this connection
  std::vector<OutgoingMessage> outbox_;
  std::vector<IntentId> newly_visible_;
  FullCheckCadence full_check_;
};

}  // namespace collabsim::ideal

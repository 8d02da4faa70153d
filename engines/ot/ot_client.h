// The client side of Jupiter-style OT (Nichols et al. 1995, as in Google
// Wave): at most one op in flight to the server, later local edits composed
// into one buffer, every server op transformed past both before it is shown.
//
// Reconnect: on every connect the client sends Hello(known revision) and the
// server answers with every log entry since then. An entry that is the
// client's own in-flight op (origin, client_seq) acknowledges it; otherwise
// the in-flight op, now rebased on the head, is resent with its original
// client_seq, which the server uses to refuse applying anything twice.
//
// Restart without local storage: the first Welcome carries the last
// client_seq the server holds from this id; the client numbers after it.
// Restart with local storage (Restore): the document, revision and pending
// ops come back as they were, and the next connect resends the in-flight op
// under its old client_seq, so the server applies it at most once.
//
// Invariants:
//   - inflight's base length == the server document length at revision_;
//   - buffer (if any) starts where inflight (if any) ends, and the last
//     pending op's target length == the local document length;
//   - cursor_ <= document length.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engines/common/chunked_text.h"
#include "engines/common/engine.h"
#include "engines/common/replica.h"
#include "engines/ot/text_op.h"
#include "ot_wire.pb.h"

namespace collabsim::ot {

class OtClient : public Replica {
 public:
  OtClient(ReplicaId id, const EngineOptions& options);

  absl::Status ApplyLocal(const Intent& intent) override;
  absl::Status Receive(ReplicaId from, std::string_view bytes) override;
  void Connected(ReplicaId peer) override;
  void Disconnected(ReplicaId peer) override;
  View GetView() const override;
  uint64_t TextLength() const override { return doc_.size(); }
  std::string TextSlice(uint64_t from, uint64_t count) const override;
  uint64_t OwnCursor() const override { return cursor_; }
  ReplicaStats Stats() const override;
  std::vector<OutgoingMessage> TakeOutbox() override;
  std::vector<IntentId> TakeNewlyVisible() override;
  void CheckInvariants() const override;
  // Everything an app with local storage keeps (written on every change).
  // An app without storage loses it; the scenario says which one crashed.
  std::string DurableState() const override;
  // REQUIRES nothing of `durable_state`: inconsistent state is an error.
  static absl::StatusOr<std::unique_ptr<OtClient>> Restore(ReplicaId id, std::string_view durable_state,
                                                           const EngineOptions& options);

  uint64_t revision() const { return revision_; }

 private:
  struct PendingOp {
    uint64_t client_seq = 0;  // assigned when it becomes the in-flight op
    TextOp op;
    std::vector<IntentId> intents;
  };
  // One server log entry, decoded and validated.
  struct Entry {
    uint64_t revision = 0;
    ReplicaId origin = 0;
    uint64_t client_seq = 0;
    TextOp op;
    std::vector<IntentId> intents;
  };
  enum class LinkState { kDisconnected, kAwaitingWelcome, kSynced };

  absl::Status ApplyLocalEdit(const Intent& intent, TextOp op, uint64_t cursor_after);
  absl::StatusOr<Entry> DecodeEntry(const wire::LogEntry& wire) const;
  // Checks that `entry` can follow the current state; changes nothing.
  // `life_start`: the first client_seq of this incarnation; own-id entries
  // below it come from before a restart and are ordinary remote ops.
  absl::Status ValidateNext(const Entry& entry, uint64_t expected_revision, uint64_t server_length,
                            uint64_t life_start, bool* is_own_ack) const;
  absl::Status HandleWelcome(const wire::Welcome& welcome);
  absl::Status HandleAck(const wire::Ack& ack);
  absl::Status HandleBroadcast(const wire::LogEntry& broadcast);
  // REQUIRES: ValidateNext(entry) succeeded against the current state.
  void ApplyServerEntry(const Entry& entry);
  // The invariants above, as a status (for restored state).
  absl::Status ValidateState() const;
  void SendPendingIfReady();
  void SendSubmit(const PendingOp& pending);
  // Length of the server document at revision_.
  uint64_t ServerLength() const;
  TextOp TransformAndCheck(TextOp* server_op, TextOp pending) const;

  EngineOptions options_;
  ChunkedText doc_;
  uint64_t revision_ = 0;
  std::optional<PendingOp> inflight_;
  std::optional<PendingOp> buffer_;
  uint64_t next_client_seq_ = 1;
  // First client_seq of this incarnation, fixed by the first Welcome (a
  // client restarted without storage learns where its old life ended).
  uint64_t first_seq_this_life_ = 1;
  bool seq_base_known_ = false;
  LinkState link_ = LinkState::kDisconnected;
  uint64_t cursor_ = 0;
  std::map<std::string, uint64_t, std::less<>> probes_;
  std::vector<OutgoingMessage> outbox_;
  std::vector<IntentId> visible_;
};

}  // namespace collabsim::ot

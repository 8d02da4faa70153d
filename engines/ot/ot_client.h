// The client side of Jupiter-style OT (Nichols et al. 1995, as in Google
// Wave): at most one op in flight to the server, later local edits composed
// into one buffer, every server op transformed past both before it is shown.
//
// Reconnect: on every connect the client sends Hello(known revision) and the
// server answers with every log entry since then, in bounded messages
// (Welcome, CatchUp, and EntryParts for a large entry; wire_limits.h). Each
// message is validated whole and then applied, so a drop half-way keeps the
// progress made, and the next Hello resumes after it, inside an entry if
// need be. An entry that is the client's own in-flight op (origin,
// client_seq) acknowledges it; once caught up to the Welcome's head, the
// in-flight op is resent with its original client_seq, which the server uses
// to refuse applying anything twice.
//
// The in-flight op's encoding is fixed when it is first sent (made against
// the revision it had then; the server transforms it from there), so an op
// too large for one message, such as three weeks of offline typing, uploads
// in parts that resume where the server's Welcome says it stopped.
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
//   - cursor_, anchor_ <= document length;
//   - each pending op writes a register at most once;
//   - an encoded in-flight op implies an op in flight, and entry parts held
//     are of entry revision_ + 1.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "engines/common/chunked_text.h"
#include "engines/common/engine.h"
#include "engines/common/object_tree.h"
#include "engines/common/replica.h"
#include "engines/ot/canvas_writes.h"
#include "engines/ot/text_op.h"
#include "engines/ot/wire_limits.h"
#include "ot_wire.pb.h"

namespace collabsim::ot {

class OtClient : public Replica, public CaretFacet {
 public:
  OtClient(ReplicaId id, const EngineOptions& options);

  absl::Status ApplyLocal(const Intent& intent) override;
  absl::Status ReceiveMessage(ReplicaId from, std::string_view bytes) override;
  void OnConnected(ReplicaId peer) override;
  void OnDisconnected(ReplicaId peer) override;
  View GetView() const override;
  uint64_t TextLength() const override { return doc_.size(); }
  std::string TextSlice(uint64_t from, uint64_t count) const override;
  uint64_t OwnCursor() const override { return cursor_; }
  Selection OwnSelection() const override { return Selection{anchor_, cursor_}; }
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

  CaretFacet* carets() override { return this; }
  EncodedSelection PublishSelection() override;
  absl::Status ShowRemoteSelection(ReplicaId owner, std::string_view anchor, std::string_view head) override;
  void HideRemoteSelection(ReplicaId owner) override;
  std::optional<Selection> RemoteSelection(ReplicaId owner) const override;

 private:
  struct PendingOp {
    uint64_t client_seq = 0;  // assigned when it becomes the in-flight op
    TextOp op;
    CanvasWrites writes;
    std::vector<IntentId> intents;
  };
  // One server log entry, decoded and validated.
  struct Entry {
    uint64_t revision = 0;
    ReplicaId origin = 0;
    uint64_t client_seq = 0;
    TextOp op;
    CanvasWrites writes;
    std::vector<IntentId> intents;
  };
  enum class LinkState { kDisconnected, kAwaitingWelcome, kCatchingUp, kSynced };

  absl::Status ApplyLocalEdit(const Intent& intent, TextOp op, CanvasWrites writes, Selection after);
  absl::Status ApplyLocalCanvasEdit(const Intent& intent);
  absl::StatusOr<Entry> DecodeEntry(const wire::LogEntry& wire) const;
  // Checks that `entry` can follow the current state; changes nothing.
  // `life_start`: the first client_seq of this incarnation; own-id entries
  // below it come from before a restart and are ordinary remote ops.
  absl::Status ValidateNext(const Entry& entry, uint64_t expected_revision, uint64_t server_length,
                            uint64_t life_start, bool* is_own_ack) const;
  // Decodes and validates one catch-up message's entries against the
  // current state (with `life_start` for own-op recognition); changes nothing.
  absl::StatusOr<std::vector<Entry>> ValidateCatchUp(const google::protobuf::RepeatedPtrField<wire::LogEntry>& wire,
                                                     uint64_t life_start) const;
  // Applies validated catch-up entries; finishes the catch-up at its head.
  void ApplyCatchUp(const std::vector<Entry>& entries);
  absl::Status HandleWelcome(const wire::Welcome& welcome);
  absl::Status HandleCatchUp(const google::protobuf::RepeatedPtrField<wire::LogEntry>& entries);
  absl::Status HandleEntryPart(const wire::EntryPart& part);
  absl::Status HandleAck(const wire::Ack& ack);
  absl::Status HandleBroadcast(const wire::LogEntry& broadcast);
  // REQUIRES: ValidateNext(entry) succeeded against the current state.
  void ApplyServerEntry(const Entry& entry);
  // The invariants above, as a status (for restored state).
  absl::Status ValidateState() const;
  void SendPendingIfReady();
  // Sends the in-flight op (whole, or in parts from byte `offset`), encoding
  // it first if it has not gone out before.
  void SendInflight(uint64_t offset);
  // Length of the server document at revision_.
  uint64_t ServerLength() const;
  TextOp TransformAndCheck(TextOp* server_op, TextOp pending) const;
  // A position in the server document at revision_, carried through the
  // pending ops into doc_; `own` for this client's own caret (its typing
  // pushes it).
  uint64_t ThroughPending(uint64_t index, bool own) const;
  Selection ThroughPending(Selection selection, bool own) const;
  // Shows the carets that were waiting for the revision just reached.
  void PlaceWaitingCarets();

  EngineOptions options_;
  ChunkedText doc_;
  // The canvas as this client shows it: the server's writes up to
  // revision_ that no pending write covers, and the pending writes.
  ObjectTree canvas_;
  uint64_t revision_ = 0;
  std::optional<PendingOp> inflight_;
  std::optional<PendingOp> buffer_;
  uint64_t next_client_seq_ = 1;
  // First client_seq of this incarnation, fixed by the first Welcome (a
  // client restarted without storage learns where its old life ended).
  uint64_t first_seq_this_life_ = 1;
  bool seq_base_known_ = false;
  LinkState link_ = LinkState::kDisconnected;
  // The in-flight op as first encoded (a wire::Submit), and its base.
  std::string inflight_wire_;
  uint64_t inflight_wire_base_ = 0;
  // The revision the current catch-up ends at (the last Welcome's head), and
  // where to resume the in-flight op's upload once it is reached.
  uint64_t catch_up_head_ = 0;
  uint64_t resume_upload_at_ = 0;
  // Since the last time this client was fully caught up (a catch-up may span
  // several connections): remote entries applied, and whether local work was
  // pending meanwhile. For the reconnect probes.
  uint64_t catch_up_missed_ = 0;
  bool catch_up_had_pending_ = false;
  // Entry revision_ + 1 arriving in parts (entry_parts_revision_ says which).
  Reassembly entry_parts_;
  uint64_t entry_parts_revision_ = 0;
  uint64_t cursor_ = 0;
  uint64_t anchor_ = 0;  // a selection's anchor; cursor_ for a caret
  // Presence. Others' selections as positions in the server document at
  // revision_, moved by each log entry in the server's order (the owner's
  // own inserts push them), exactly as the server moves them, and shown
  // through the pending ops; and selections sent at a revision this client
  // has not reached yet.
  absl::btree_map<ReplicaId, Selection> remote_carets_;  // walked for every log entry: kept compact
  std::map<ReplicaId, std::pair<uint64_t, Selection>> waiting_carets_;  // owner -> (revision, selection)
  // The selection this client last published: its encoding, where it
  // places the ends in doc_ now (`live`), and whether it was made or moved
  // while own ops were pending (the server may order those differently
  // from here, so it is published again once they are acknowledged).
  struct PublishedCaret {
    EncodedSelection bytes;
    Selection live;
    bool provisional = false;
  };
  std::optional<PublishedCaret> published_;
  std::map<std::string, uint64_t, std::less<>> probes_;
  std::vector<OutgoingMessage> outbox_;
  std::vector<IntentId> visible_;
};

}  // namespace collabsim::ot

// An Eg-walker replica on a user's device, relay topology. Edits apply to
// the plain text at once and become events named (agent, seq); the client
// sends them whenever it is connected and keeps count of those the relay
// has acknowledged. Offline editing needs nothing special: the events wait
// in the graph, and when the relay's events arrive the document merges
// them (a walk over the events since the two diverged).
//
// Connect: the client sends Hello(the version of every event but its own
// unacknowledged ones, its agent); the relay answers Welcome(its version,
// how many of the agent's events it holds) and the events the client
// lacks, in chunks; the client then pushes its own events from that count
// on. Merging is idempotent, so resends are harmless.
//
// Sessions: each session edits under its own agent, derived from its first
// intent id, so a client restarted without local storage never reuses a seq
// of its earlier life. With local storage (Restore) the agent, the events
// and the acknowledged count come back as they were.
//
// Carets (egwalker_client_carets.cc) are code point indexes, moved by the
// client's own edits and shifted by the text edits each merge makes. For
// the presence channel a caret is an index at a version; a receiver places
// it after the character left of it, by a walk from that version, once it
// has the version's events (until then it waits).
//
// Invariants: pending intents are this session's agent's, in seq order,
// ending where the agent's events end; every shown caret is inside the text.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <utility>
#include <memory>
#include <string>
#include <vector>

#include "engines/common/engine.h"
#include "engines/common/replica.h"
#include "engines/egwalker/intent_document.h"

namespace collabsim::egwalker {

class EgwalkerClient : public Replica, public CaretFacet {
 public:
  EgwalkerClient(ReplicaId id, const EngineOptions& options);

  absl::Status ApplyLocal(const Intent& intent) override;
  absl::Status ReceiveMessage(ReplicaId from, std::string_view bytes) override;
  void OnConnected(ReplicaId peer) override;
  void OnDisconnected(ReplicaId peer) override;
  View GetView() const override;
  uint64_t TextLength() const override { return doc_.document().text().size(); }
  std::string TextSlice(uint64_t from, uint64_t count) const override;
  uint64_t OwnCursor() const override { return cursor_; }
  ReplicaStats Stats() const override;
  std::vector<OutgoingMessage> TakeOutbox() override;
  std::vector<IntentId> TakeNewlyVisible() override;
  void CheckInvariants() const override;
  std::string DurableState() const override;
  // Inconsistent or malformed state is an error, never a partial client.
  static absl::StatusOr<std::unique_ptr<EgwalkerClient>> Restore(ReplicaId id, std::string_view durable_state,
                                                                 const EngineOptions& options);

  CaretFacet* carets() override { return this; }
  Selection OwnSelection() const override { return Selection{anchor_, cursor_}; }
  EncodedSelection PublishSelection() override;
  absl::Status ShowRemoteSelection(ReplicaId owner, std::string_view anchor, std::string_view head) override;
  void HideRemoteSelection(ReplicaId owner) override;
  std::optional<Selection> RemoteSelection(ReplicaId owner) const override;

 private:
  enum class LinkState { kDisconnected, kAwaitingWelcome, kSynced };
  // An own intent not yet acknowledged, and one past its last event's seq.
  struct PendingIntent {
    IntentId intent;
    uint64_t end_seq = 0;
  };

  absl::Status HandleWelcome(const wire::Welcome& welcome);
  absl::Status HandleChunk(const wire::Batch& chunk);
  void HandleAck(uint64_t next_seq);
  // Sends own events with seq >= `from_seq`.
  void PushFrom(uint64_t from_seq);
  void Push(const std::vector<LvSpan>& spans);
  uint64_t NextOwnSeq() const;
  // The version of every event except this session's unacknowledged ones.
  std::vector<RemoteId> AcknowledgedVersion() const;
  // Moves every caret (own, published, others') with the text's edits.
  void ShiftCarets(const std::vector<TextEdit>& edits);
  // Shows the waiting carets whose versions have arrived.
  void PlaceWaitingCarets();
  // Where an encoded selection is in the text now; nullopt while waiting.
  absl::StatusOr<std::optional<Selection>> Place(const wire::CaretPosition& anchor,
                                                 const wire::CaretPosition& head) const;
  absl::Status ValidateState() const;

  EngineOptions options_;
  IntentDocument doc_;
  uint64_t agent_ = 0;  // 0 until this session's first edit
  uint64_t acked_seq_ = 0;
  std::deque<PendingIntent> pending_;
  uint64_t cursor_ = 0;
  uint64_t anchor_ = 0;
  // What PublishSelection gave last, and where it is now (so an idle caret
  // keeps its bytes while the text moves under it).
  struct Published {
    EncodedSelection bytes;
    Selection live;
  };
  std::optional<Published> published_;
  std::map<ReplicaId, Selection> remote_carets_;  // others', placed
  std::map<ReplicaId, std::pair<wire::CaretPosition, wire::CaretPosition>> waiting_carets_;
  LinkState link_ = LinkState::kDisconnected;
  TransferBuffer incoming_;
  uint64_t chunks_expected_ = 0;  // catch-up chunks still to come after Welcome
  uint64_t catch_up_events_ = 0;
  bool pending_at_welcome_ = false;
  std::map<std::string, uint64_t, std::less<>> probes_;
  std::vector<OutgoingMessage> outbox_;
  std::vector<IntentId> visible_;
};

}  // namespace collabsim::egwalker

// What every Eg-walker replica on a user's device has, whatever it syncs
// with (a relay: EgwalkerClient; other peers: EgwalkerPeer): the document,
// the session's agent, the own intents not yet acknowledged, the carets
// (egwalker_editor_carets.cc) and local storage. A subclass says where an
// own edit goes (SendOwn) and feeds what arrives to MergeTransfer.
//
// Local edits apply to the plain text at once and become events named
// (agent, seq). Each session edits under its own agent, derived from its
// first intent id, so a client restarted without local storage never
// reuses a seq of its earlier life; with local storage (Restore) the
// agent, the events and the acknowledged count come back as they were.
//
// Carets are code point indexes, moved by the editor's own edits and
// shifted by the text edits each merge makes. For the presence channel a
// caret is an index at a version; a receiver places it after the character
// left of it, by a walk from that version, once it has the version's
// events (until then it waits).
//
// Invariants: pending intents are this session's agent's, in seq order,
// ending where the agent's events end; every shown caret is inside the text.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engines/common/engine.h"
#include "engines/common/replica.h"
#include "engines/egwalker/intent_document.h"

namespace collabsim::egwalker {

class EgwalkerEditor : public Replica, public CaretFacet {
 public:
  EgwalkerEditor(ReplicaId id, const EngineOptions& options);

  absl::Status ApplyLocal(const Intent& intent) final;
  View GetView() const final;
  uint64_t TextLength() const final { return doc_.document().text().size(); }
  std::string TextSlice(uint64_t from, uint64_t count) const final;
  uint64_t OwnCursor() const final { return cursor_; }
  std::vector<OutgoingMessage> TakeOutbox() final;
  std::vector<IntentId> TakeNewlyVisible() final;
  void CheckInvariants() const override;
  std::string DurableState() const final;

  CaretFacet* carets() final { return this; }
  Selection OwnSelection() const final { return Selection{anchor_, cursor_}; }
  EncodedSelection PublishSelection() final;
  absl::Status ShowRemoteSelection(ReplicaId owner, std::string_view anchor, std::string_view head) final;
  void HideRemoteSelection(ReplicaId owner) final;
  std::optional<Selection> RemoteSelection(ReplicaId owner) const final;

 protected:
  // An own intent not yet acknowledged, and one past its last event's seq.
  struct PendingIntent {
    IntentId intent;
    uint64_t end_seq = 0;
  };

  // Own events from `first_seq` on were just made: send them if a link is
  // up (they wait in the graph otherwise).
  virtual void SendOwn(uint64_t first_seq) = 0;

  // Merges a whole transfer, shows its intents, moves the carets; the
  // report says which events were new. Nothing changes on an error.
  absl::Status MergeTransfer(const wire::Batch& transfer, EgwalkerDocument::MergeReport* report);
  // Own events up to `next_seq` are held elsewhere.
  void Acknowledge(uint64_t next_seq);
  uint64_t NextOwnSeq() const;
  // The own events with seq >= `from_seq`.
  std::vector<LvSpan> OwnSpansFrom(uint64_t from_seq) const;
  // Memory, pending intents and probes; subclasses add their buffers.
  ReplicaStats EditorStats() const;
  // Counts a catch-up that ended after bringing `events` new events, with
  // own edits made apart waiting (`own_edits_apart`): the long-offline and
  // rebase probes.
  void NoteCatchUp(uint64_t events, bool own_edits_apart);
  // Checks what the editor holds (after a restore, and as an invariant).
  absl::Status ValidateEditor() const;
  // Loads stored state into this fresh editor: the document, agent,
  // acknowledged count, caret and the pending intents they imply.
  absl::Status RestoreEditor(const wire::DurableState& state);

  const IntentDocument& doc() const { return doc_; }
  uint64_t agent() const { return agent_; }
  uint64_t acked_seq() const { return acked_seq_; }
  bool has_pending() const { return !pending_.empty(); }
  void Post(ReplicaId to, std::string bytes) { outbox_.push_back(OutgoingMessage{to, std::move(bytes)}); }

 private:
  // Moves every caret (own, published, others') with the text's edits.
  void ShiftCarets(const std::vector<TextEdit>& edits);
  // Shows the waiting carets whose versions have arrived.
  void PlaceWaitingCarets();
  // Where an encoded selection is in the text now; nullopt while waiting.
  absl::StatusOr<std::optional<Selection>> Place(const wire::CaretPosition& anchor,
                                                 const wire::CaretPosition& head) const;

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
  std::map<std::string, uint64_t, std::less<>> probes_;
  std::vector<OutgoingMessage> outbox_;
  std::vector<IntentId> visible_;
};

}  // namespace collabsim::egwalker
